import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { RdsGlobalCluster } from '@cdktn/provider-aws/lib/rds-global-cluster';
import { Construct } from 'constructs';
import { engineVersionProblem } from '../config';

export const ENGINE = 'aurora-postgresql';

/**
 * Refuses a version the ledger cannot run on (the table and its sources: src/config/engine-versions.ts). The config
 * schema refuses it first; constructs built directly (tests, other entry points) are checked again here.
 */
export function assertSupportedEngineVersion(version: string): void {
  const problem = engineVersionProblem(version);
  if (problem) throw new Error(problem);
}

export interface AuroraGlobalClusterProps {
  provider: AwsProvider;
  identifier: string;
  engineVersion: string;
  databaseName: string;
  /**
   * Safety profile "production": deletion protection on the global cluster and `prevent_destroy`.
   * @default destroyable (test)
   */
  protect?: boolean;
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
      deletionProtection: p.protect === true,
      ...(p.protect ? { lifecycle: { preventDestroy: true } } : {}),
      // Avoid paid RDS Extended Support silently starting when the major leaves standard support: AWS upgrades
      // instead, and creating a cluster on that major fails from then on (src/config/engine-versions.ts; synth warns
      // ahead of the date).
      engineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      // engine_version is managed, not ignored: it is the one upgrade lever of the ledger. The instances have
      // auto minor version upgrade off (AWS upgrades global database members secondary-first, and per-instance
      // upgrades would let the regions drift), and the member clusters ignore their own engine_version. Raising
      // `database.engineVersion` therefore upgrades the whole global database through ModifyGlobalCluster: the
      // provider tries a major upgrade first (AllowMajorVersionUpgrade) and falls back to a minor one
      // (internal/service/rds/global_cluster.go), so a major upgrade is also a change of this one value, done as
      // docs/deploy.md describes (RPO bound off first, parameter groups after). If AWS ever forces an upgrade (end of
      // a version's support), the next plan shows the difference: set `database.engineVersion` to the version AWS
      // installed.
    });
  }
}
