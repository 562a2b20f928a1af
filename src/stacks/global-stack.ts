import type { Construct } from 'constructs';
import type { Config } from '../config';
import { accountId } from '../account';
import { TerraformOutput } from 'cdktn';
import { ApiCertificates } from '../constructs/api-certificates';
import { AuroraGlobalCluster } from '../constructs/aurora-global';
import { PaymentControlTable } from '../constructs/control-table';
import { GlobalTable } from '../constructs/global-tables';
import { MultiRegionKey } from '../constructs/multi-region-key';
import { OperatorRole } from '../constructs/operator-role';
import { keySafety, safetyProfile } from '../config/safety';
import { defaultTags, DrStack } from './dr-stack';

/**
 * Resources that span both regions and must exist before either regional stack: the multi-Region KMS keys,
 * (data layer) the replicated data stores, and the API certificates with the DNS records that validate them (one
 * validation record serves both regions' certificates, so it has one owner here). Its state lives in the secondary region by default so that
 * it stays readable when the primary region is down.
 */
export class GlobalStack extends DrStack {
  readonly dataKey: MultiRegionKey;
  readonly opsKey: MultiRegionKey;
  readonly ledger: AuroraGlobalCluster;
  readonly controlTable: PaymentControlTable;
  readonly sessionsTable: GlobalTable;
  readonly operatorRole: OperatorRole;
  readonly certificates: ApiCertificates;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, { config, role: 'global', stateRegion: config.regions.secondary });
    const { primary, secondary } = config.regions;
    const primaryProvider = this.provider(primary);
    const secondaryProvider = this.provider(secondary);
    const account = accountId(this, primaryProvider);
    const names = this.names;
    const pair = {
      primary: { region: primary, provider: primaryProvider },
      replica: { region: secondary, provider: secondaryProvider },
    };
    const safety = safetyProfile(config);
    const keys = keySafety(safety);

    this.dataKey = new MultiRegionKey(this, 'data-key', {
      ...pair,
      aliasName: names.keyAlias.data,
      description: `${names.keyName.data}: Aurora, DynamoDB, S3, Secrets Manager, Lambda environment`,
      accountId: account,
      // AWS Backup encrypts the ledger's recovery points in each region's vault with the data key (production).
      viaServices: [
        'rds',
        'dynamodb',
        's3',
        'secretsmanager',
        'lambda',
        ...(safety.backup ? ['backup' as const] : []),
      ],
      // Through S3 and DynamoDB, only for this account's receipts buckets and payment tables (kms-policy.ts).
      s3Buckets: [primary, secondary].map((r) => names.receiptsBucket(r, account)),
      // The payment tables, and the tables the restore runbook restores them into (their names are the encryption
      // context DynamoDB sends for them).
      dynamodbTables: [names.paymentControlTable, names.sessionsTable].flatMap((t) => [
        t,
        names.restoredTable(t),
      ]),
      ...keys,
    });
    this.opsKey = new MultiRegionKey(this, 'ops-key', {
      ...pair,
      aliasName: names.keyAlias.ops,
      description: `${names.keyName.ops}: CloudWatch Logs, SNS, SQS`,
      accountId: account,
      viaServices: ['sns', 'sqs'],
      allowCloudWatchLogs: true,
      allowCloudWatchAlarms: { alarmNamePattern: names.alarmNamePattern },
      ...keys,
    });

    this.ledger = new AuroraGlobalCluster(this, 'ledger', {
      provider: primaryProvider,
      identifier: names.globalClusterId,
      engineVersion: config.database.engineVersion,
      databaseName: names.databaseName,
      protect: safety.deletionProtection,
    });
    const replica = {
      region: secondary,
      kmsKeyArn: this.dataKey.replicaKey.arn,
      provider: secondaryProvider,
      tags: defaultTags(config, 'global', secondary),
    };
    // Replaces the eventually consistent idempotency table of earlier versions (MRSC cannot be added to an
    // existing table): its records were derived from the ledger and expired after 24 h, so nothing is
    // migrated; payments recorded before the switch are found by their ledger key (create-payment.ts).
    this.controlTable = new PaymentControlTable(this, 'payment-control', {
      provider: primaryProvider,
      name: names.paymentControlTable,
      initialActiveRegion: primary,
      kmsKeyArn: this.dataKey.primaryKey.arn,
      replica,
      witnessRegion: config.regions.witness,
      protection: { deletionProtection: safety.deletionProtection, preventDestroy: safety.preventDestroy },
    });
    this.sessionsTable = new GlobalTable(this, 'sessions', {
      provider: primaryProvider,
      kmsKeyArn: this.dataKey.primaryKey.arn,
      replica,
      ttlAttribute: 'expiresAt',
      name: names.sessionsTable,
      // Sessions expire within a day and can be re-created: deletion protection, no prevent_destroy.
      protection: { deletionProtection: safety.deletionProtection, preventDestroy: false },
    });

    this.certificates = new ApiCertificates(this, 'api-certificates', {
      dnsProvider: primaryProvider,
      zoneId: config.dns.zoneId,
      publicName: names.publicApiHost,
      regions: [
        { region: primary, provider: primaryProvider, regionalName: names.regionalApiHost(primary) },
        { region: secondary, provider: secondaryProvider, regionalName: names.regionalApiHost(secondary) },
      ],
    });

    this.operatorRole = new OperatorRole(this, 'operator', {
      provider: primaryProvider,
      regions: config.regions,
      operatorPrincipalArns: config.failover.operatorPrincipalArns,
      orgId: config.failover.operatorOrgId,
      mfaMaxAgeSeconds: config.failover.operatorMfaMaxAgeSeconds,
      names,
      accountId: account,
      opsKeyArns: {
        [primary]: this.opsKey.primaryKey.arn,
        [secondary]: this.opsKey.replicaKey.arn,
      } as Record<typeof primary, string>,
      dataKeyArns: {
        [primary]: this.dataKey.primaryKey.arn,
        [secondary]: this.dataKey.replicaKey.arn,
      } as Record<typeof primary, string>,
    });
    new TerraformOutput(this, 'operator_role_arn', { value: this.operatorRole.role.arn });

    new TerraformOutput(this, 'global_cluster_id', {
      value: this.ledger.globalCluster.globalClusterIdentifier,
    });
    new TerraformOutput(this, 'global_writer_endpoint', {
      value: this.ledger.globalCluster.endpoint,
      description: 'Follows the writer after a switchover or failover',
    });
    new TerraformOutput(this, 'payment_control_table_name', { value: this.controlTable.table.name });
    new TerraformOutput(this, 'payment_control_table_arn', { value: this.controlTable.table.arn });
    new TerraformOutput(this, 'sessions_table_name', { value: this.sessionsTable.table.name });
    new TerraformOutput(this, 'sessions_table_arn', { value: this.sessionsTable.table.arn });
    new TerraformOutput(this, 'data_key_arns', {
      value: { [primary]: this.dataKey.primaryKey.arn, [secondary]: this.dataKey.replicaKey.arn },
    });
    new TerraformOutput(this, 'ops_key_arns', {
      value: { [primary]: this.opsKey.primaryKey.arn, [secondary]: this.opsKey.replicaKey.arn },
    });
  }
}
