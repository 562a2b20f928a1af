/**
 * The name Aurora gives the snapshot it attempts of an old primary's volume after an unplanned global failover:
 * "rds:unplanned-global-failover-name-of-old-primary-DB-cluster-timestamp" (Aurora User Guide,
 * aurora-global-database-disaster-recovery.html). Kept apart from the SDK code so the names module of the
 * infrastructure can use it without loading an AWS client.
 */
export const failoverSnapshotPrefix = (clusterId: string): string =>
  `rds:unplanned-global-failover-${clusterId}-`;

/**
 * `20261202t0405` from a time (to the minute): a stamp of the failover snapshot that keeps the copy's
 * identifier within the 63 characters CopyDBClusterSnapshot allows.
 */
export const snapshotStamp = (at: Date): string =>
  at.toISOString().slice(0, 16).replace(/[-:]/g, '').toLowerCase();
