import { DbSubnetGroup } from '@cdktn/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { RdsCluster, type RdsClusterConfig } from '@cdktn/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktn/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktn/provider-aws/lib/rds-cluster-parameter-group';
import { Fn } from 'cdktn';
import { Construct } from 'constructs';
import { type Config, engineMajor, parameterGroupFamily } from '../config';
import { assumeRolePolicy } from '../iam';
import { assertSupportedEngineVersion, ENGINE } from './aurora-global';
import { EncryptedLogGroup } from './log-group';

export interface AuroraRegionalClusterProps {
  provider: AwsProvider;
  /** `payment-processing-ledger-<suffix>-<region>` */
  identifier: string;
  globalClusterIdentifier: string;
  /** Name of the cluster parameter group for an engine major version (ResourceNames.ledgerParameterGroup). */
  parameterGroupName: (major: number) => string;
  database: Config['database'];
  subnetIds: string[];
  securityGroupId: string;
  kmsKeyArn: string;
  accountId: string;
  /**
   * Only for the cluster that creates the global database (the primary): master user and the ephemeral
   * password. The secondary never carries master credentials; it inherits them through replication.
   */
  master?: { username: string; passwordWo: string; passwordVersion: number };
  /**
   * Only for the cluster that creates the global database (the primary), like `master`: the database created with
   * it. The provider's global cluster examples set `database_name` on the global cluster and on the primary cluster
   * alike, and never on a secondary, which AWS refuses ("Cannot specify database name for cross region
   * replication cluster").
   */
  databaseName?: string;
  /**
   * rds.global_db_rpo of this cluster's parameter group: the primary's `database.rpoBoundSeconds`, never set on the
   * secondary (see the parameter list).
   * @default not set
   */
  rpoBoundSeconds?: number;
  /** Backup and maintenance windows of this region's cluster and instances (LEDGER_WINDOWS). */
  windows: LedgerWindows;
  /** Key (the ops key) and retention of the cluster's PostgreSQL log group. */
  logs: { kmsKeyArn: string; retentionInDays: number };
  /**
   * Safety profile "production": deletion protection, `prevent_destroy`, and a final snapshot of this name when the
   * cluster is deleted anyway (ResourceNames.ledgerFinalSnapshot).
   * @default destroyable: no deletion protection, no final snapshot (test)
   */
  protection?: { finalSnapshotIdentifier: string };
}

/** Serverless v2 writer + one reader in another AZ: an AZ loss is an in-region failover, not a DR event. */
export const INSTANCES_PER_CLUSTER = 2;

/** Backup and maintenance windows of one region's ledger (UTC; `ddd:hh:mm-ddd:hh:mm` weekly, `hh:mm-hh:mm` daily). */
export interface LedgerWindows {
  backup: string;
  cluster: string;
  /** One per instance, in instance order. */
  instances: string[];
}

/**
 * Staggered maintenance: the two regions' clusters are never in maintenance on the same day (a failover target
 * must not be patching while the other region is), and within a region the two instances have separate
 * half-hour windows after the cluster's (RDS picks a random window for an instance that sets none, which could
 * put both instances, or both regions, into maintenance at once). Maintenance windows last at least 30 minutes
 * and the daily backup window must not overlap the cluster's maintenance window (RDS API, ModifyDBCluster
 * PreferredBackupWindow / PreferredMaintenanceWindow).
 */
export const LEDGER_WINDOWS: Record<'primary' | 'secondary', LedgerWindows> = {
  primary: {
    backup: '03:00-04:00',
    cluster: 'sun:05:00-sun:05:30',
    instances: ['sun:05:30-sun:06:00', 'sun:06:30-sun:07:00'],
  },
  secondary: {
    backup: '03:00-04:00',
    cluster: 'wed:05:00-wed:05:30',
    instances: ['wed:05:30-wed:06:00', 'wed:06:30-wed:07:00'],
  },
};

/**
 * One regional member of the Aurora PostgreSQL global database, built the same way in both regions:
 * Serverless v2, CMK storage and Performance Insights encryption, IAM database authentication, PostgreSQL
 * log export, enhanced monitoring, TLS enforced, `rds.global_db_rpo` only where opted in (the primary), and
 * destroyable (no deletion protection, no final snapshot) unless `protection` is given (safety "production").
 */
export class AuroraRegionalCluster extends Construct {
  readonly cluster: RdsCluster;
  readonly instances: RdsClusterInstance[];
  readonly parameterGroup: RdsClusterParameterGroup;
  /** `/aws/rds/cluster/<cluster id>/postgresql`, the group the exported PostgreSQL log goes to. */
  readonly logGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, p: AuroraRegionalClusterProps) {
    super(scope, id);
    const provider = p.provider;
    assertSupportedEngineVersion(p.database.engineVersion);

    const subnetGroup = new DbSubnetGroup(this, 'subnets', {
      provider,
      name: p.identifier,
      description: 'Private subnets of the ledger cluster, one per AZ',
      subnetIds: p.subnetIds,
    });

    // The family follows the engine's major version, and so does the name: a major upgrade needs a group of the new
    // family, created before the old one is deleted (a group in use cannot be), which two groups of the same name
    // could not be.
    this.parameterGroup = new RdsClusterParameterGroup(this, 'params', {
      provider,
      name: p.parameterGroupName(engineMajor(p.database.engineVersion)),
      family: parameterGroupFamily(p.database.engineVersion),
      lifecycle: { createBeforeDestroy: true },
      description:
        p.rpoBoundSeconds !== undefined
          ? 'Ledger: TLS only, bounded global replication lag (RPO), audit and slow statement logging'
          : 'Ledger: TLS only, audit and slow statement logging',
      parameter: [
        // rds.global_db_rpo, only where configured (the primary, opt-in): Aurora "blocks the transaction if all
        // secondary DB clusters have RPO lag times that are larger than the RPO", so the bound costs write
        // availability, every commit in us-east-1 waiting on us-east-2. It never goes on the secondary: "In a global
        // database with only two AWS Regions, we recommend keeping the rds.global_db_rpo parameter's default value
        // in the secondary Region's parameter group. Otherwise, performing a failover due to a loss of the primary
        // AWS Region could cause Aurora to pause transactions" (Aurora User Guide, "Managing RPOs for Aurora
        // PostgreSQL-based global databases"). The parameter is dynamic; the runbook resets it during an incident.
        ...(p.rpoBoundSeconds !== undefined
          ? [{ name: 'rds.global_db_rpo', value: String(p.rpoBoundSeconds), applyMethod: 'immediate' }]
          : []),
        { name: 'rds.force_ssl', value: '1', applyMethod: 'immediate' },
        { name: 'ssl_min_protocol_version', value: 'TLSv1.2', applyMethod: 'immediate' },
        { name: 'log_min_duration_statement', value: '1000', applyMethod: 'immediate' },
        // Audit trail of every change (DDL and writes) without bound values: no payment data in the logs.
        { name: 'log_statement', value: 'mod', applyMethod: 'immediate' },
        { name: 'log_parameter_max_length', value: '0', applyMethod: 'immediate' },
        { name: 'log_connections', value: '1', applyMethod: 'immediate' },
        { name: 'log_disconnections', value: '1', applyMethod: 'immediate' },
      ],
    });

    const monitoringRole = new IamRole(this, 'monitoring-role', {
      provider,
      name: `${p.identifier}-monitoring`,
      description: 'RDS enhanced monitoring of the ledger cluster',
      assumeRolePolicy: assumeRolePolicy('monitoring.rds.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': p.accountId },
      }),
    });
    new IamRolePolicyAttachment(this, 'monitoring-policy', {
      provider,
      role: monitoringRole.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    });

    // RDS writes the exported `postgresql` log to /aws/rds/cluster/<cluster id>/postgresql and creates that
    // group itself when it is missing: then without the CMK, kept forever, and outside Terraform, so it would
    // survive `destroy` with the audit log in it. Creating it first (the cluster depends on it) keeps it
    // encrypted with the ops key, bounded by `logRetentionDays` and destroyed with the stack; on destroy the
    // instances and the cluster go first, so no late write re-creates it.
    //
    // Not managed: `RDSOSMetrics`, where enhanced monitoring writes. It is one group per account and region,
    // shared by every RDS instance with enhanced monitoring in the account (other environments and systems
    // included): owning it here would make this stack's destroy delete their metrics and a second environment's
    // apply fail on "already exists". RDS creates it with a 30-day retention; it holds OS metrics only, no
    // database contents.
    const logs = p.logs;
    this.logGroup = new EncryptedLogGroup(this, 'postgresql-logs', {
      provider,
      name: `/aws/rds/cluster/${p.identifier}/postgresql`,
      kmsKeyArn: logs.kmsKeyArn,
      retentionInDays: logs.retentionInDays,
    });

    const clusterConfig: RdsClusterConfig = {
      provider,
      dependsOn: [this.logGroup.logGroup],
      clusterIdentifier: p.identifier,
      globalClusterIdentifier: p.globalClusterIdentifier,
      engine: ENGINE,
      engineVersion: p.database.engineVersion,
      engineMode: 'provisioned',
      engineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [p.securityGroupId],
      dbClusterParameterGroupName: this.parameterGroup.name,
      storageEncrypted: true,
      kmsKeyId: p.kmsKeyArn,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: ['postgresql'],
      backupRetentionPeriod: p.database.backupRetentionDays,
      preferredBackupWindow: p.windows.backup,
      preferredMaintenanceWindow: p.windows.cluster,
      copyTagsToSnapshot: true,
      deletionProtection: p.protection !== undefined,
      skipFinalSnapshot: p.protection === undefined,
      ...(p.protection ? { finalSnapshotIdentifier: p.protection.finalSnapshotIdentifier } : {}),
      serverlessv2ScalingConfiguration: {
        minCapacity: p.database.minCapacityAcu,
        maxCapacity: p.database.maxCapacityAcu,
      },
      ...(p.databaseName !== undefined ? { databaseName: p.databaseName } : {}),
      ...(p.master
        ? {
            masterUsername: p.master.username,
            masterPasswordWo: p.master.passwordWo,
            masterPasswordWoVersion: p.master.passwordVersion,
          }
        : {}),
      lifecycle: {
        // Fields AWS changes after creation and that Terraform must not fight:
        // - engine_version: the global cluster owns (minor) upgrades of all members;
        // - replication_source_identifier: set by AWS on whichever cluster is currently a secondary, which
        //   after a switchover or failover may be this one;
        // - global_cluster_identifier: cleared by an unplanned failover (detach-and-promote); re-joining is an
        //   explicit failback step (docs/runbooks), never an implicit side effect of `terraform apply`;
        // - database_name: create-only (the provider replaces the cluster when it changes); ignored so that a
        //   primary created before it was set here, whose state may hold no name, is never replaced for it, and so
        //   that a promoted secondary reporting the replicated database's name shows no difference.
        ignoreChanges: [
          'engine_version',
          'replication_source_identifier',
          'global_cluster_identifier',
          'database_name',
        ],
        ...(p.protection ? { preventDestroy: true } : {}),
      },
    };
    this.cluster = new RdsCluster(this, 'cluster', clusterConfig);

    this.instances = Array.from({ length: INSTANCES_PER_CLUSTER }, (_, i) => {
      return new RdsClusterInstance(this, `instance-${i + 1}`, {
        provider,
        identifier: `${p.identifier}-${i + 1}`,
        clusterIdentifier: this.cluster.id,
        instanceClass: 'db.serverless',
        engine: ENGINE,
        engineVersion: p.database.engineVersion,
        dbSubnetGroupName: subnetGroup.name,
        publiclyAccessible: false,
        // Off: in a global database AWS requires the secondary clusters to be upgraded before the primary, and
        // per-instance automatic minor upgrades would let the regions drift apart (or upgrade the primary
        // first). Minor upgrades go through the global cluster's engine_version (see aurora-global.ts).
        autoMinorVersionUpgrade: false,
        promotionTier: i,
        preferredMaintenanceWindow: p.windows.instances[i],
        caCertIdentifier: 'rds-ca-rsa2048-g1',
        monitoringInterval: 30,
        monitoringRoleArn: monitoringRole.arn,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: p.kmsKeyArn,
        performanceInsightsRetentionPeriod: 7,
        copyTagsToSnapshot: true,
        lifecycle: { ignoreChanges: ['engine_version'] },
      });
    });
  }

  /**
   * This cluster's writer (cluster) endpoint, the one each region's functions write through. Not the cluster's
   * `endpoint` attribute: Aurora returns no Endpoint for a secondary in a global database ("it'll only have a
   * ReaderEndpoint, even though the cluster technically has a (nonfunctional) writer endpoint":
   * terraform-provider-aws #14219), so the us-east-2 value could be empty in the state, and stay so after a
   * promotion until someone applied Terraform again. The name itself is fixed per cluster ("Each Aurora cluster has
   * a single built-in cluster endpoint, whose name and other attributes are managed by Aurora") and differs from the
   * reader endpoint only in `cluster-` for `cluster-ro-` (Aurora User Guide, cluster and reader endpoints:
   * mydbcluster.cluster-c7tj4example.us-east-1... / mydbcluster.cluster-ro-c7tj4example.us-east-1...), so it is
   * derived from the reader endpoint, which every member has. While this cluster is a secondary the endpoint is
   * inactive and the functions read "not writable" (runtime/shared/writability.ts); once Aurora promotes it, the same
   * name serves the new writer, with no Terraform run and no IAM change on the failover path.
   *
   * Not the global writer endpoint: it "always points to the writer DB instance in the current primary cluster",
   * in whichever region, so a us-east-2 function would write across regions while us-east-1 is the writer (and its
   * IAM token, scoped to its own cluster's resource id, would be refused there). A region writes to its own cluster
   * only. That endpoint is not derivable either (its name is the global cluster id plus an AWS-assigned part), so it
   * is read from the global stack's output by operators, never by another stack.
   */
  get writerEndpoint(): string {
    return Fn.replace(this.cluster.readerEndpoint, '.cluster-ro-', '.cluster-');
  }

  get readerEndpoint(): string {
    return this.cluster.readerEndpoint;
  }
}
