import {
  CopyDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  type DBCluster,
  type DBClusterSnapshot,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import type { Clock } from '../shared/clock';
import { awsErrorName } from '../shared/aws-clients';
import { failoverSnapshotPrefix } from './names';

export { failoverSnapshotPrefix, snapshotStamp } from './names';

/**
 * The AWS half of lost-write recovery: find the snapshot Aurora took of the old primary, keep it, restore it to
 * a temporary cluster in the old primary's region, and delete that cluster afterwards. Every step finds what
 * an earlier, interrupted run left (the names are deterministic), so the command can simply be run again.
 *
 * AWS facts (Aurora User Guide, "Using switchover or failover in Amazon Aurora Global Database",
 * aurora-global-database-disaster-recovery.html; RDS API reference):
 * - "Aurora attempts to take a snapshot of the old storage volume at the point of failure. ... If this operation
 *   is successful, Aurora places this snapshot named
 *   rds:unplanned-global-failover-name-of-old-primary-DB-cluster-timestamp in the snapshot section", listed by
 *   DescribeDBClusterSnapshots. It is only attempted: its absence is reported, not assumed away. AWS does not
 *   say which SnapshotType it has, so no type filter is used (without one, automated and manual snapshots are
 *   listed), only the documented name prefix.
 * - "The snapshot of the old storage volume is a system snapshot that's subject to the backup retention period
 *   configured on the old primary cluster. To preserve this snapshot outside of the retention period, you can
 *   copy it to save it as a manual snapshot": the first step is CopyDBClusterSnapshot (same region, same key:
 *   without KmsKeyId the copy stays encrypted with the source's key). The copy is kept; it is the evidence.
 * - RestoreDBClusterFromSnapshot "only restores the DB cluster, not the DB instances for that DB cluster. You
 *   must invoke the CreateDBInstance operation ... You can create DB instances only after the
 *   RestoreDBClusterFromSnapshot operation has completed and the DB cluster is available."
 */
export interface RestoreNames {
  /** The old primary cluster whose snapshot is restored. */
  oldClusterId: string;
  /** Identifier of the manual copy (kept). */
  snapshotCopyId: string;
  /** The temporary cluster and its one instance (deleted at the end). */
  tempClusterId: string;
  tempInstanceId: string;
}

export interface WaitOptions {
  clock: Clock;
  /** Longest wait for each step to become available. */
  timeoutMs: number;
  pollMs: number;
  progress?: (line: string) => void;
}

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

const notFound = (err: unknown, ...names: string[]): boolean => names.includes(awsErrorName(err) ?? '');

/** The newest available `rds:unplanned-global-failover-<cluster>-*` snapshot of the old primary, if any. */
export async function findFailoverSnapshot(
  rds: RDSClient,
  clusterId: string,
): Promise<DBClusterSnapshot | undefined> {
  const prefix = failoverSnapshotPrefix(clusterId);
  const found: DBClusterSnapshot[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await rds.send(
      new DescribeDBClusterSnapshotsCommand({
        DBClusterIdentifier: clusterId,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const s of out.DBClusterSnapshots ?? [])
      if (s.DBClusterSnapshotIdentifier?.startsWith(prefix) && s.Status === 'available') found.push(s);
    marker = out.Marker;
    if (!marker) break;
  }
  const time = (s: DBClusterSnapshot) => s.SnapshotCreateTime?.getTime() ?? 0;
  return found.sort((a, b) => time(b) - time(a))[0];
}

export async function describeSnapshot(rds: RDSClient, id: string): Promise<DBClusterSnapshot | undefined> {
  try {
    const out = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: id }));
    return out.DBClusterSnapshots?.[0];
  } catch (err) {
    if (notFound(err, 'DBClusterSnapshotNotFoundFault')) return undefined;
    throw err;
  }
}

export async function describeCluster(rds: RDSClient, id: string): Promise<DBCluster | undefined> {
  try {
    return (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
  } catch (err) {
    if (notFound(err, 'DBClusterNotFoundFault')) return undefined;
    throw err;
  }
}

async function instanceStatus(rds: RDSClient, id: string): Promise<string | undefined> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return out.DBInstances?.[0]?.DBInstanceStatus;
  } catch (err) {
    if (notFound(err, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) return undefined;
    throw err;
  }
}

/** Polls `status` until it is `available`, bounded by `o.timeoutMs`. */
async function waitAvailable(what: string, status: () => Promise<string | undefined>, o: WaitOptions) {
  const deadline = o.clock.now() + o.timeoutMs;
  for (;;) {
    const s = await status();
    if (s === 'available') return;
    if (s === 'failed' || s === 'incompatible-restore' || s === 'inaccessible-encryption-credentials')
      throw new RestoreError(`${what} is ${s}`);
    if (o.clock.now() >= deadline)
      throw new RestoreError(
        `${what} not available after ${Math.round(o.timeoutMs / 1000)} s (status ${s ?? 'missing'})`,
      );
    o.progress?.(`waiting for ${what} (${s ?? 'not visible yet'})`);
    await o.clock.sleep(o.pollMs);
  }
}

const TAGS = [{ Key: 'Purpose', Value: 'lost-write-recovery' }];

/** Step 1: the manual copy of the failover snapshot (kept after the run). */
export async function keepSnapshot(
  rds: RDSClient,
  source: DBClusterSnapshot,
  n: RestoreNames,
  o: WaitOptions,
): Promise<DBClusterSnapshot> {
  if (!(await describeSnapshot(rds, n.snapshotCopyId))) {
    o.progress?.(`copying ${source.DBClusterSnapshotIdentifier} to the manual snapshot ${n.snapshotCopyId}`);
    await rds.send(
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: source.DBClusterSnapshotArn ?? source.DBClusterSnapshotIdentifier,
        TargetDBClusterSnapshotIdentifier: n.snapshotCopyId,
        CopyTags: true,
        Tags: TAGS,
      }),
    );
  }
  await waitAvailable(
    `snapshot ${n.snapshotCopyId}`,
    async () => (await describeSnapshot(rds, n.snapshotCopyId))?.Status,
    o,
  );
  return (await describeSnapshot(rds, n.snapshotCopyId)) as DBClusterSnapshot;
}

/** Steps 2-3: the temporary cluster from the copy, in the old primary's subnets and security groups, and its instance. */
export async function restoreTemporaryCluster(
  rds: RDSClient,
  copy: DBClusterSnapshot,
  n: RestoreNames,
  o: WaitOptions,
): Promise<DBCluster> {
  if (!(await describeCluster(rds, n.tempClusterId))) {
    const old = await describeCluster(rds, n.oldClusterId);
    if (!old)
      throw new RestoreError(
        `the old primary cluster ${n.oldClusterId} is not visible: is its region reachable?`,
      );
    o.progress?.(`restoring ${n.snapshotCopyId} to the temporary cluster ${n.tempClusterId}`);
    await rds.send(
      new RestoreDBClusterFromSnapshotCommand({
        DBClusterIdentifier: n.tempClusterId,
        SnapshotIdentifier: n.snapshotCopyId,
        Engine: copy.Engine ?? 'aurora-postgresql',
        ...(copy.EngineVersion ? { EngineVersion: copy.EngineVersion } : {}),
        ...(old.DBSubnetGroup ? { DBSubnetGroupName: old.DBSubnetGroup } : {}),
        VpcSecurityGroupIds: (old.VpcSecurityGroups ?? []).flatMap((g) =>
          g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
        ),
        ...(copy.KmsKeyId ? { KmsKeyId: copy.KmsKeyId } : {}),
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: false,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
        Tags: TAGS,
      }),
    );
  }
  await waitAvailable(
    `cluster ${n.tempClusterId}`,
    async () => (await describeCluster(rds, n.tempClusterId))?.Status,
    o,
  );
  if (!(await instanceStatus(rds, n.tempInstanceId))) {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: n.tempInstanceId,
        DBClusterIdentifier: n.tempClusterId,
        Engine: copy.Engine ?? 'aurora-postgresql',
        DBInstanceClass: 'db.serverless',
        Tags: TAGS,
      }),
    );
  }
  await waitAvailable(`instance ${n.tempInstanceId}`, () => instanceStatus(rds, n.tempInstanceId), o);
  return (await describeCluster(rds, n.tempClusterId)) as DBCluster;
}

/** Last step: deletes the temporary instance and cluster (no final snapshot: the manual copy is kept). */
export async function deleteTemporaryCluster(rds: RDSClient, n: RestoreNames): Promise<void> {
  try {
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: n.tempInstanceId }));
  } catch (err) {
    if (!notFound(err, 'DBInstanceNotFoundFault', 'DBInstanceNotFound')) throw err;
  }
  try {
    await rds.send(
      new DeleteDBClusterCommand({ DBClusterIdentifier: n.tempClusterId, SkipFinalSnapshot: true }),
    );
  } catch (err) {
    if (!notFound(err, 'DBClusterNotFoundFault')) throw err;
  }
}
