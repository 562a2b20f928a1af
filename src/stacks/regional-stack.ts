import { DataAwsKmsKey } from '@cdktn/provider-aws/lib/data-aws-kms-key';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktn';
import type { Construct } from 'constructs';
import { azIdsFor, type Config, type Region } from '../config';
import { accountId } from '../account';
import type { LambdaBundles } from '../bundling/functions';
import { AlertRelay } from '../constructs/alert-relay';
import { AlertTopic } from '../constructs/alert-topic';
import { ApiDomain } from '../constructs/api-domain';
import { AuroraRegionalCluster, LEDGER_WINDOWS } from '../constructs/aurora-regional';
import { FenceAction } from '../constructs/fence-action';
import { PaymentService } from '../constructs/payment-service';
import { regionCatalog } from '../monitoring/catalog';
import { RegionalAlarms } from '../monitoring/regional-alarms';
import { DbCredentials } from '../constructs/db-credentials';
import { Network } from '../constructs/network';
import { ReceiptsBucket } from '../constructs/receipts-bucket';
import { AppSecurityGroups } from '../constructs/security-groups';
import { LedgerBackup } from '../constructs/backup-ledger';
import { safetyProfile } from '../config/safety';
import { defaultTags, DrStack } from './dr-stack';

export type RegionalRole = 'primary' | 'secondary';

/** What differs between the two regional stacks; everything else is the same code. */
export interface RegionSpec {
  role: RegionalRole;
  region: Region;
  peerRegion: Region;
  cidr: string;
  peerCidr: string;
}

export function regionSpec(config: Config, role: RegionalRole): RegionSpec {
  const { primary, secondary } = config.regions;
  const { primaryCidr, secondaryCidr } = config.network;
  return role === 'primary'
    ? { role, region: primary, peerRegion: secondary, cidr: primaryCidr, peerCidr: secondaryCidr }
    : { role, region: secondary, peerRegion: primary, cidr: secondaryCidr, peerCidr: primaryCidr };
}

/**
 * One region of the active-passive pair. Instantiated twice (primary, secondary) from the same code; it reads
 * only its own region's APIs and finds shared resources by deterministic names, never through another
 * stack's state, so it can be planned and applied while the other region is down.
 */
export class RegionalStack extends DrStack {
  readonly spec: RegionSpec;
  readonly awsProvider: AwsProvider;
  readonly account: string;
  readonly dataKeyArn: string;
  readonly opsKeyArn: string;
  readonly network: Network;
  readonly securityGroups: AppSecurityGroups;
  readonly receipts: ReceiptsBucket;
  readonly ledger: AuroraRegionalCluster;
  /** Master credentials: created by the primary stack only (with a replica in the secondary region). */
  readonly credentials?: DbCredentials;
  readonly alerts: AlertTopic;
  readonly service: PaymentService;
  readonly domain: ApiDomain;
  readonly alarms: RegionalAlarms;
  /** The Region switch plan's write-fence step in this region (the plan runs it in the region it activates). */
  readonly fence: FenceAction;
  /** Copies the primary region's alerts to this region's topic (secondary stack only). */
  readonly alertRelay?: AlertRelay;
  /** AWS Backup of this region's ledger cluster, copied to the other region (safety "production" only). */
  readonly backup?: LedgerBackup;

  constructor(scope: Construct, id: string, config: Config, role: RegionalRole, bundles: LambdaBundles) {
    const spec = regionSpec(config, role);
    super(scope, id, { config, role, stateRegion: spec.region });
    this.spec = spec;
    this.awsProvider = this.provider(spec.region);
    const provider = this.awsProvider;
    this.account = accountId(this, provider);
    const names = this.names;
    const safety = safetyProfile(config);
    this.dataKeyArn = new DataAwsKmsKey(this, 'data-key', { provider, keyId: names.keyAlias.data }).arn;
    this.opsKeyArn = new DataAwsKmsKey(this, 'ops-key', { provider, keyId: names.keyAlias.ops }).arn;

    this.network = new Network(this, 'network', {
      provider,
      names,
      region: spec.region,
      cidr: spec.cidr,
      peerCidr: spec.peerCidr,
      azIds: azIdsFor(config, spec.region),
      logsKeyArn: this.opsKeyArn,
      accountId: this.account,
      logRetentionDays: config.logRetentionDays,
    });

    this.securityGroups = new AppSecurityGroups(this, 'security-groups', {
      provider,
      vpcId: this.network.vpc.id,
      endpointSecurityGroupId: this.network.endpointSecurityGroup.id,
      peerCidr: spec.peerCidr,
      gatewayPrefixListIds: [
        this.network.s3Endpoint.prefixListId,
        this.network.dynamodbEndpoint.prefixListId,
      ],
      lambdaName: names.lambdaSecurityGroup(spec.region),
      databaseName: names.databaseSecurityGroup(spec.region),
    });

    this.receipts = new ReceiptsBucket(this, 'receipts', {
      provider,
      bucketName: names.receiptsBucket(spec.region, this.account),
      kmsKeyArn: this.dataKeyArn,
      noncurrentVersionDays: 365,
      ...(safety.keyAdminRoleArn !== undefined
        ? { protection: { adminRoleArn: safety.keyAdminRoleArn } }
        : {}),
    });

    if (role === 'primary') {
      this.credentials = new DbCredentials(this, 'ledger-credentials', {
        provider,
        secretName: names.dbSecretName,
        username: names.masterUsername,
        kmsKeyArn: this.dataKeyArn,
        replica: { region: spec.peerRegion, kmsKeyId: names.keyAlias.data },
        passwordVersion: config.database.masterPasswordVersion,
        recoveryWindowInDays: safety.secretRecoveryWindowDays,
      });
    }
    this.ledger = new AuroraRegionalCluster(this, 'ledger', {
      provider,
      identifier: names.clusterId(spec.region),
      globalClusterIdentifier: names.globalClusterId,
      parameterGroupName: (major) => names.ledgerParameterGroup(spec.region, major),
      windows: LEDGER_WINDOWS[role],
      database: config.database,
      // The RPO bound is the primary's only (AWS: keep the default on the secondary of a two-Region global database).
      ...(role === 'primary' && config.database.rpoBoundSeconds !== undefined
        ? { rpoBoundSeconds: config.database.rpoBoundSeconds }
        : {}),
      subnetIds: this.network.subnetIds,
      securityGroupId: this.securityGroups.database.id,
      kmsKeyArn: this.dataKeyArn,
      accountId: this.account,
      logs: { kmsKeyArn: this.opsKeyArn, retentionInDays: config.logRetentionDays },
      ...(safety.finalSnapshot
        ? { protection: { finalSnapshotIdentifier: names.ledgerFinalSnapshot(spec.region) } }
        : {}),
      ...(this.credentials ? { databaseName: names.databaseName } : {}),
      ...(this.credentials
        ? {
            master: {
              username: names.masterUsername,
              passwordWo: this.credentials.passwordForCluster,
              passwordVersion: this.credentials.passwordVersion,
            },
          }
        : {}),
    });

    if (safety.backup) {
      this.backup = new LedgerBackup(this, 'ledger-backup', {
        provider,
        region: spec.region,
        accountId: this.account,
        vaultName: names.ledgerBackupVault(spec.region),
        planName: names.ledgerBackupPlan(spec.region),
        roleName: names.ledgerBackupRole(spec.region),
        peer: { region: spec.peerRegion, vaultName: names.ledgerBackupVault(spec.peerRegion) },
        kmsKeyArn: this.dataKeyArn,
        clusterArn: this.ledger.cluster.arn,
        settings: safety.backup,
      });
    }

    this.alerts = new AlertTopic(this, 'alerts', {
      provider,
      name: names.alertTopic(spec.region),
      kmsKeyArn: this.opsKeyArn,
      accountId: this.account,
      region: spec.region,
      emails: config.alerts.emails,
    });

    this.service = new PaymentService(this, 'payment-service', {
      provider,
      api: config.api,
      logRetentionDays: config.logRetentionDays,
      names,
      region: spec.region,
      role,
      accountId: this.account,
      bundles,
      dataKeyArn: this.dataKeyArn,
      opsKeyArn: this.opsKeyArn,
      vpc: { subnetIds: this.network.subnetIds, securityGroupIds: [this.securityGroups.lambda.id] },
      ledger: {
        writerEndpoint: this.ledger.writerEndpoint,
        // The health functions read through it where the writer endpoint is inactive (the passive region).
        readerEndpoint: this.ledger.readerEndpoint,
        clusterResourceId: this.ledger.cluster.clusterResourceId,
      },
      receipts: { bucketName: this.receipts.bucket.bucket, bucketArn: this.receipts.bucket.arn },
    });

    const dnsNames = { publicName: names.publicApiHost, regionalName: names.regionalApiHost(spec.region) };
    this.domain = new ApiDomain(this, 'api-domain', {
      provider,
      zoneId: config.dns.zoneId,
      publicName: dnsNames.publicName,
      regionalName: dnsNames.regionalName,
      restApiId: this.service.api.api.id,
      stageName: this.service.api.stage.stageName,
      certificateTags: defaultTags(config, 'global', spec.region),
    });
    this.fence = new FenceAction(this, 'fence-action', {
      provider,
      functionName: names.fenceFunction(spec.region),
      region: spec.region,
      accountId: this.account,
      bundle: bundles['fence-action'],
      controlTable: names.paymentControlTable,
      dataKeyArn: this.dataKeyArn,
      opsKeyArn: this.opsKeyArn,
      logRetentionDays: config.logRetentionDays,
    });

    if (role === 'secondary') {
      this.alertRelay = new AlertRelay(this, 'alert-relay', {
        provider,
        functionName: names.alertRelayFunction,
        deadLetterQueueName: names.alertRelayDeadLetters,
        region: spec.region,
        accountId: this.account,
        bundle: bundles['alert-relay'],
        dataKeyArn: this.dataKeyArn,
        opsKeyArn: this.opsKeyArn,
        logRetentionDays: config.logRetentionDays,
        targetTopicArn: this.alerts.arn,
        sourceTopicArn: names.alertTopicArn(spec.peerRegion, this.account),
      });
    }
    const timeouts = { ...this.service.timeoutsMs };
    const extraFunctions = [this.fence.fn, ...(this.alertRelay ? [this.alertRelay.fn] : [])];
    for (const f of extraFunctions) {
      timeouts[f.functionName] = f.timeoutSeconds * 1000;
    }

    this.alarms = new RegionalAlarms(this, 'alarms', {
      provider,
      names,
      catalog: regionCatalog(config, spec.region, this.account),
      thresholds: config.thresholds,
      topicArn: this.alerts.arn,
      functionTimeoutsMs: timeouts,
      // The primary's bound acts on the us-east-2 cluster's lag: that region's RPO lag alarm says where commits pause.
      ...(role === 'secondary' && config.database.rpoBoundSeconds !== undefined
        ? { rpoBoundSeconds: config.database.rpoBoundSeconds }
        : {}),
    });

    new TerraformOutput(this, 'vpc_id', { value: this.network.vpc.id });
    new TerraformOutput(this, 'private_subnet_ids', { value: this.network.subnetIds });
    new TerraformOutput(this, 'ledger_cluster_id', { value: this.ledger.cluster.clusterIdentifier });
    new TerraformOutput(this, 'ledger_writer_endpoint', { value: this.ledger.writerEndpoint });
    new TerraformOutput(this, 'ledger_reader_endpoint', { value: this.ledger.readerEndpoint });
    new TerraformOutput(this, 'receipts_bucket', { value: this.receipts.bucket.bucket });
    new TerraformOutput(this, 'api_url', { value: `https://${dnsNames.publicName}` });
    new TerraformOutput(this, 'regional_api_url', { value: `https://${dnsNames.regionalName}` });
    if (this.credentials)
      new TerraformOutput(this, 'ledger_secret_arn', { value: this.credentials.secret.arn });
  }
}
