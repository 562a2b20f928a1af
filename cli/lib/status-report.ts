import type { GlobalTopology } from './topology';
import { FINISHED } from './arc-types';
import type { EvaluationView, HealthChecksView, RegionSwitchView } from './status-arc';
import type { Region } from '../../src/config';
import { type Reading, unknownField, valueOf } from './reading';
import type { Alarm, Lag } from './status-sources';

/**
 * The report of `drctl status` (collected by status.ts): its shape, and the pure functions that turn what
 * was read into its fields and its reasons for attention.
 */
export interface RegionStatus {
  region: Region;
  role: 'primary' | 'secondary';
  /** Whether any of this region's APIs answered (with data or with an error). */
  reachable: boolean;
  topology: Reading<GlobalTopology>;
  alarms: Reading<Alarm[]>;
}

/**
 * Replication in one direction. Aurora reports lag on the receiving cluster (metric in the receiving region);
 * DynamoDB global tables and S3 replication report it on the sending side. A known `Lag` with `valueMs: null`
 * means no data in the window (e.g. nothing replicates that way).
 */
export interface ReplicationStatus {
  from: Region;
  to: Region;
  aurora: Reading<Lag>;
  dynamodb: Reading<{ idempotency: Lag; sessions: Lag }>;
  s3: Reading<Lag>;
}

export interface GlobalClusterView {
  id: string;
  status: string | null;
  writer: { clusterId: string; region: string } | null;
  members: Array<{
    clusterId: string;
    region: string;
    role: 'writer' | 'secondary';
    synchronization: string | null;
  }>;
  failoverInProgress: GlobalTopology['failover'] | null;
  observedFrom: string[];
  disagreement: boolean;
}

export type StatusVerdict = 'ok' | 'degraded' | 'unreadable';

export interface StatusReport {
  environment: string;
  generatedAt: string;
  verdict: StatusVerdict;
  degradedReasons: string[];
  /** Resources of this environment that the services said do not exist. */
  missing: string[];
  failoverMode: string;
  accountId: Reading<string>;
  globalCluster: Reading<GlobalClusterView>;
  /**
   * The Route 53 health checks of the public failover records, which the Region switch plan creates and owns
   * (ListRoute53HealthChecksInRegion, us-east-2 first); null: no plan to ask.
   */
  healthChecks: Reading<HealthChecksView | null>;
  regions: RegionStatus[];
  replication: ReplicationStatus[];
  /** The Region switch plan and its latest execution; null: no plan with this environment's name. */
  regionSwitch: Reading<RegionSwitchView | null>;
  /** The plan's evaluation as each Region reports it (GetPlanEvaluationStatus); null: no plan to evaluate. */
  evaluation: Array<{ region: Region; reading: Reading<EvaluationView | null> }>;
}

/** The report without its verdict (computed from the rest). */
export type StatusBody = Omit<StatusReport, 'verdict' | 'degradedReasons' | 'missing'>;

function summarizeTopology(views: Array<{ region: string; topology: GlobalTopology }>): GlobalClusterView {
  const t = (views[0] as { topology: GlobalTopology }).topology;
  const writerKey = (x: GlobalTopology) => x.writer?.clusterId ?? 'none';
  return {
    id: t.globalClusterId,
    status: t.status ?? null,
    writer: t.writer ? { clusterId: t.writer.clusterId, region: t.writer.region } : null,
    members: t.members.map((m) => ({
      clusterId: m.clusterId,
      region: m.region,
      role: m.isWriter ? 'writer' : 'secondary',
      synchronization: m.synchronizationStatus ?? null,
    })),
    failoverInProgress: t.failover ?? null,
    observedFrom: views.map((v) => v.region),
    disagreement: views.some((v) => writerKey(v.topology) !== writerKey(t)),
  };
}

/** The global cluster as seen from every region that could read it; otherwise why not (per region). */
export function globalClusterReading(regions: RegionStatus[]): Reading<GlobalClusterView> {
  const views = regions.flatMap((r) => {
    const topology = valueOf(r.topology);
    return topology ? [{ region: r.region, topology }] : [];
  });
  if (views.length > 0) return { state: 'known', value: summarizeTopology(views) };
  const why = (r: RegionStatus) =>
    r.topology.state === 'error' ? r.topology.error : r.topology.state === 'unknown' ? r.topology.reason : '';
  const detail = regions.map((r) => `${r.region}: ${why(r)}`).join('; ');
  return regions.some((r) => r.topology.state === 'error')
    ? { state: 'error', error: detail }
    : unknownField(detail);
}

/** What needs attention in what was read (a field that could not be read is added by the caller). */
export function attention(r: StatusBody): string[] {
  const out: string[] = [];
  const g = valueOf(r.globalCluster);
  if (g?.disagreement) out.push('regions disagree on the writer');
  if (g && !g.writer) out.push('the global database reports no writer');
  if (g?.status && g.status !== 'available') out.push(`global database ${g.status}`);
  if (g?.failoverInProgress) out.push(`${g.failoverInProgress.status} in progress`);
  for (const m of g?.members ?? []) {
    if (m.role === 'secondary' && m.synchronization && m.synchronization !== 'connected')
      out.push(`${m.clusterId} ${m.synchronization}`);
  }
  const hc = valueOf(r.healthChecks);
  if (hc) {
    if (hc.healthChecks.length === 0) out.push('the plan reports no Route 53 health checks');
    for (const h of hc.healthChecks) {
      if (h.healthCheckId === null) out.push(`${h.region} DNS health check not created`);
      else if (h.status !== 'healthy' && h.status !== 'unhealthy')
        out.push(`${h.region} DNS health check ${h.status}`);
    }
    if (hc.healthChecks.length > 0 && !hc.healthChecks.some((h) => h.status === 'healthy'))
      out.push('no DNS health check is healthy');
  }
  for (const region of r.regions) {
    const n = valueOf(region.alarms)?.length ?? 0;
    if (n > 0) out.push(`${region.region}: ${n} alarm(s) in ALARM`);
  }
  const rs = valueOf(r.regionSwitch);
  for (const n of rs?.notListed ?? []) out.push(`plan executions of ${n.split(':')[0]} not read`);
  const latest = rs?.latestExecution;
  if (latest && !(FINISHED as ReadonlySet<string>).has(latest.state))
    out.push(`plan execution ${latest.executionId} ${latest.state}`);
  else if (latest && latest.state !== 'completed') out.push(`latest plan execution ${latest.state}`);
  for (const e of r.evaluation) {
    const v = valueOf(e.reading);
    if (v && v.state !== 'passed') out.push(`plan evaluation ${e.region}: ${v.state}`);
  }
  return out;
}
