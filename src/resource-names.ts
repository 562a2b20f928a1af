import type { Config, Region } from './config';
import { Naming } from './naming';

/**
 * Every name that crosses a stack boundary, derived from the configuration only. Stacks (and the operator
 * CLI) find each other's resources through these names instead of reading another stack's state.
 */
export function resourceNames(config: Config) {
  const n = new Naming(config.environmentSuffix);
  return {
    globalClusterId: n.name('ledger-global'),
    clusterId: (region: Region) => n.regional('ledger', region),
    databaseName: 'payments',
    masterUsername: 'payments_admin',
    appDbUser: 'payments_app',
    dbSecretName: n.name('ledger-master'),
    idempotencyTable: n.name('idempotency'),
    sessionsTable: n.name('sessions'),
    /** Bucket names must be unique across all of AWS: the account id makes them so, deterministically. */
    receiptsBucket: (region: Region, accountId: string) => `${n.regional('receipts', region)}-${accountId}`,
    dataKeyAlias: n.alias('data'),
    opsKeyAlias: n.alias('ops'),
    vpcName: (region: Region) => n.regional('vpc', region),
    routeTableName: (region: Region) => n.regional('private-rt', region),
    lambdaSecurityGroup: (region: Region) => n.regional('lambda', region),
    alertTopic: (region: Region) => n.regional('alerts', region),
    alertTopicArn: (region: Region, accountId: string) =>
      `arn:aws:sns:${region}:${accountId}:${n.regional('alerts', region)}`,
    /** The secondary region's function that relays the primary region's alerts. */
    alertRelayFunction: n.name('alert-relay'),
  };
}

export type ResourceNames = ReturnType<typeof resourceNames>;
