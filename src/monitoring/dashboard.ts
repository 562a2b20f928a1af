import type { MetricSpec, RegionCatalog } from './catalog';

type MetricLine = Array<string | Record<string, string | number>>;

interface Widget {
  type: 'metric';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

const line = (m: MetricSpec): MetricLine => [
  m.namespace,
  m.metricName,
  ...Object.entries(m.dimensions).flat(),
  { region: m.region, stat: m.stat, label: m.label },
];

export interface DashboardInput {
  /** Catalogs of both regions (primary first). */
  catalogs: RegionCatalog[];
  /** Terraform expression of the primary health check id; its metric lives in us-east-1 only. */
  healthCheckId: string;
  healthCheckRegion: string;
}

/**
 * The one dashboard definition for both regions: every widget mixes metrics of both regions (each metric
 * carries its region), so the same body deployed in each region shows the whole picture, and the copy in
 * the surviving region stays readable when the other region is down.
 */
export function dashboardBody(input: DashboardInput): string {
  const { catalogs: cs } = input;
  const widgets: Widget[] = [];
  let y = 0;
  const row = (items: Array<{ title: string; metrics: MetricLine[]; yLabel?: string }>) => {
    const width = Math.floor(24 / items.length);
    items.forEach((it, i) => {
      widgets.push({
        type: 'metric',
        x: i * width,
        y,
        width,
        height: 6,
        properties: {
          title: it.title,
          view: 'timeSeries',
          stacked: false,
          period: 60,
          region: cs[0].region,
          metrics: it.metrics,
          ...(it.yLabel ? { yAxis: { left: { label: it.yLabel } } } : {}),
        },
      });
    });
    y += 6;
  };

  row([
    {
      title: 'Primary health check (Route 53, 1 = healthy)',
      metrics: [
        [
          'AWS/Route53',
          'HealthCheckStatus',
          'HealthCheckId',
          input.healthCheckId,
          { region: input.healthCheckRegion, stat: 'Minimum', label: 'primary /health' },
        ],
      ],
    },
    { title: 'API requests', metrics: cs.map((c) => line(c.api.count)) },
    { title: 'API 5xx', metrics: cs.map((c) => line(c.api.errors5xx)) },
    { title: 'API p99 latency (ms)', metrics: cs.map((c) => line(c.api.latency)) },
  ]);
  row([
    { title: 'Aurora global replication lag (ms)', metrics: cs.map((c) => line(c.aurora.replicationLag)) },
    { title: 'Aurora RPO lag (ms)', metrics: cs.map((c) => line(c.aurora.rpoLag)) },
    { title: 'Aurora CPU (%)', metrics: cs.map((c) => line(c.aurora.cpu)) },
    { title: 'Aurora ACU utilisation (%)', metrics: cs.map((c) => line(c.aurora.capacity)) },
    { title: 'Aurora connections', metrics: cs.map((c) => line(c.aurora.connections)) },
  ]);
  row([
    {
      title: 'DynamoDB replication latency (ms)',
      metrics: cs.flatMap((c) =>
        c.dynamodb.flatMap((d) => (d.replicationLatency ? [line(d.replicationLatency)] : [])),
      ),
    },
    {
      title: 'DynamoDB throttled requests',
      metrics: cs.flatMap((c) => c.dynamodb.flatMap((d) => [line(d.readThrottles), line(d.writeThrottles)])),
    },
    { title: 'S3 replication latency (s)', metrics: cs.map((c) => line(c.s3.replicationLatency)) },
    {
      title: 'S3 replication pending / failed',
      metrics: cs.flatMap((c) => [line(c.s3.pending), line(c.s3.failed)]),
    },
  ]);
  row([
    { title: 'Lambda errors', metrics: cs.flatMap((c) => c.functions.map((f) => line(f.errors))) },
    { title: 'Lambda throttles', metrics: cs.flatMap((c) => c.functions.map((f) => line(f.throttles))) },
    {
      title: 'Lambda p99 duration (ms)',
      metrics: cs.flatMap((c) => c.functions.map((f) => line(f.duration))),
    },
  ]);
  return JSON.stringify({ widgets });
}
