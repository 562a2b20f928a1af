import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { RdsGlobalCluster } from '@cdktn/provider-aws/lib/rds-global-cluster';
import { Construct } from 'constructs';

/**
 * Aurora PostgreSQL version policy (checked against the AWS documentation):
 * - Global databases support Aurora PostgreSQL 14.3 and higher in us-east-1 and us-east-2
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html).
 * - Aurora Serverless v2 supports Aurora PostgreSQL 14.3 and higher
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.ServerlessV2.html).
 * - The `rds.global_db_rpo` parameter exists for Aurora PostgreSQL global databases
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-manage-recovery).
 * The default (config `database.engineVersion`) is a recent 14.x minor release; anything below 14.3 is refused.
 */
export const MIN_ENGINE_VERSION = [14, 3] as const;
export const ENGINE = 'aurora-postgresql';

export function assertSupportedEngineVersion(version: string): void {
  const [major, minor] = version.split('.').map(Number);
  if (major !== MIN_ENGINE_VERSION[0] || minor < MIN_ENGINE_VERSION[1]) {
    throw new Error(
      `Aurora PostgreSQL ${version} does not support global databases with Serverless v2 (need 14.3+ in 14.x)`,
    );
  }
}

export interface AuroraGlobalClusterProps {
  provider: AwsProvider;
  identifier: string;
  engineVersion: string;
  databaseName: string;
}

/**
 * The global cluster shell: engine, version, database name and encryption. Regional clusters (in the
 * primary and secondary stacks) join it by its deterministic identifier; after a switchover or failover the
 * global cluster's writer endpoint follows the new writer.
 */
export class AuroraGlobalCluster extends Construct {
  readonly globalCluster: RdsGlobalCluster;

  constructor(scope: Construct, id: string, p: AuroraGlobalClusterProps) {
    super(scope, id);
    assertSupportedEngineVersion(p.engineVersion);
    this.globalCluster = new RdsGlobalCluster(this, 'global', {
      provider: p.provider,
      globalClusterIdentifier: p.identifier,
      engine: ENGINE,
      engineVersion: p.engineVersion,
      databaseName: p.databaseName,
      storageEncrypted: true,
      deletionProtection: false,
      // Avoid paid RDS Extended Support silently starting when 14.x leaves standard support: AWS upgrades instead.
      engineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      // engine_version is managed, not ignored: it is the one upgrade lever of the ledger. The instances have
      // auto minor version upgrade off (AWS upgrades global database members secondary-first, and per-instance
      // upgrades would let the regions drift), and the member clusters ignore their own engine_version. Raising
      // `database.engineVersion` therefore upgrades the whole global database through ModifyGlobalCluster. If AWS
      // ever forces an upgrade (end of a minor version's support), the next plan shows the difference: set
      // `database.engineVersion` to the version AWS installed.
    });
  }
}
