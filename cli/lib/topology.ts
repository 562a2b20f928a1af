import { DescribeGlobalClustersCommand, type RDSClient } from '@aws-sdk/client-rds';

/**
 * The Aurora global database as the RDS control plane of one region reports it: which member cluster writes,
 * which ones replicate, and whether a switchover or failover is under way.
 */
export interface ClusterArn {
  arn: string;
  region: string;
  accountId: string;
  clusterId: string;
}

const CLUSTER_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):cluster:([A-Za-z0-9-]+)$/;

export function parseClusterArn(arn: string): ClusterArn | undefined {
  const m = CLUSTER_ARN.exec(arn);
  if (!m) return undefined;
  return { arn, region: m[2] as string, accountId: m[3] as string, clusterId: m[4] as string };
}

export interface TopologyMember extends ClusterArn {
  isWriter: boolean;
  /** `connected` or `pending-resync` (Aurora reports it for secondaries); undefined when not reported. */
  synchronizationStatus?: string;
  readerCount: number;
}

export interface FailoverInProgress {
  /** `pending`, `failing-over` or `cancelling`. */
  status: string;
  fromClusterArn?: string;
  toClusterArn?: string;
  dataLossAllowed: boolean;
}

export interface GlobalTopology {
  globalClusterId: string;
  /** `available`, `modifying`, `failing-over`, `switching-over`, ... */
  status?: string;
  engine?: string;
  members: TopologyMember[];
  writer?: TopologyMember;
  failover?: FailoverInProgress;
}

export class GlobalClusterNotFoundError extends Error {
  constructor(id: string) {
    super(`global cluster ${id} does not exist`);
    this.name = 'GlobalClusterNotFoundError';
  }
}

const ACTIVE_FAILOVER = new Set(['pending', 'failing-over', 'cancelling']);

export async function readTopology(
  rds: RDSClient,
  globalClusterId: string,
  signal?: AbortSignal,
): Promise<GlobalTopology> {
  let out;
  try {
    out = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }), {
      abortSignal: signal,
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'GlobalClusterNotFoundFault') {
      throw new GlobalClusterNotFoundError(globalClusterId);
    }
    throw err;
  }
  const gc = (out.GlobalClusters ?? []).find((g) => g.GlobalClusterIdentifier === globalClusterId);
  if (!gc) throw new GlobalClusterNotFoundError(globalClusterId);
  const members: TopologyMember[] = [];
  for (const m of gc.GlobalClusterMembers ?? []) {
    const parsed = m.DBClusterArn ? parseClusterArn(m.DBClusterArn) : undefined;
    if (!parsed) continue;
    members.push({
      ...parsed,
      isWriter: m.IsWriter === true,
      ...(m.SynchronizationStatus ? { synchronizationStatus: m.SynchronizationStatus } : {}),
      readerCount: m.Readers?.length ?? 0,
    });
  }
  const fs = gc.FailoverState;
  return {
    globalClusterId,
    ...(gc.Status ? { status: gc.Status } : {}),
    ...(gc.Engine ? { engine: gc.Engine } : {}),
    members,
    writer: members.find((m) => m.isWriter),
    ...(fs?.Status && ACTIVE_FAILOVER.has(fs.Status)
      ? {
          failover: {
            status: fs.Status,
            ...(fs.FromDbClusterArn ? { fromClusterArn: fs.FromDbClusterArn } : {}),
            ...(fs.ToDbClusterArn ? { toClusterArn: fs.ToDbClusterArn } : {}),
            dataLossAllowed: fs.IsDataLossAllowed === true,
          },
        }
      : {}),
  };
}

export function memberById(topology: GlobalTopology, clusterId: string): TopologyMember | undefined {
  return topology.members.find((m) => m.clusterId === clusterId);
}

/** One line such as `writer payment-processing-ledger-dev-use1 (us-east-1); status available`. */
export function describeTopology(t: GlobalTopology): string {
  const writer = t.writer ? `${t.writer.clusterId} (${t.writer.region})` : 'none';
  const readers = t.members
    .filter((m) => !m.isWriter)
    .map(
      (m) => `${m.clusterId} (${m.region}${m.synchronizationStatus ? `, ${m.synchronizationStatus}` : ''})`,
    );
  const failover = t.failover ? `; ${t.failover.status} to ${t.failover.toClusterArn ?? '?'}` : '';
  return `writer ${writer}; secondaries ${readers.length > 0 ? readers.join(', ') : 'none'}; status ${t.status ?? 'unknown'}${failover}`;
}
