import { describe, expect, it } from 'vitest';
import { DETECTION_METRICS } from '../../runtime/detection/metrics';
import { resourceNames } from '../../src/resource-names';
import { allResources, only, regionOf, resources, synthAll, type TfJson, testConfig } from '../support/synth';

type Attrs = Record<string, unknown>;
const config = testConfig({ alerts: { emails: ['oncall@example.com', 'payments-lead@example.com'] } });
const s = synthAll(config);
const all = allResources(s);
const { detectionNamespace } = resourceNames(config);

interface MetricStat {
  namespace: string;
  metric_name: string;
  dimensions: Record<string, string>;
}
/** Every metric an alarm reads: its own, or each metric of its metric math. */
const metricsOf = (a: Attrs): MetricStat[] =>
  a.metric_query === undefined
    ? [a as unknown as MetricStat]
    : (a.metric_query as Attrs[]).flatMap((q) => (q.metric === undefined ? [] : [q.metric as MetricStat]));
/** The regions where a detector function runs: the vantage points its data points name. */
const vantages = new Set(
  all
    .filter(
      (r) =>
        r.type === 'aws_lambda_function' &&
        (r.attrs.environment as { variables?: Record<string, string> } | undefined)?.variables
          ?.METRIC_NAMESPACE === detectionNamespace,
    )
    .map((r) => regionOf(s[r.stack] as TfJson, r.attrs)),
);

/** Every name a metric dimension may point at, collected from the synthesized resources themselves. */
function deployedNames(): Record<string, Set<string>> {
  const collect = (type: string, key: string) =>
    new Set(all.filter((r) => r.type === type).map((r) => String(r.attrs[key])));
  return {
    FunctionName: collect('aws_lambda_function', 'function_name'),
    ApiName: collect('aws_api_gateway_rest_api', 'name'),
    Stage: collect('aws_api_gateway_stage', 'stage_name'),
    DBClusterIdentifier: collect('aws_rds_cluster', 'cluster_identifier'),
    TableName: collect('aws_dynamodb_table', 'name'),
    SourceBucket: collect('aws_s3_bucket', 'bucket'),
    DestinationBucket: collect('aws_s3_bucket', 'bucket'),
    RuleId: new Set(
      all
        .filter((r) => r.type === 'aws_s3_bucket_replication_configuration')
        .flatMap((r) => (r.attrs.rule as Attrs[]).map((x) => String(x.id))),
    ),
    ReceivingRegion: new Set(['us-east-1', 'us-east-2']),
    QueueName: collect('aws_sqs_queue', 'name'),
  };
}

function assertDimensionsExist(dims: Record<string, string>, where: string, names = deployedNames()): void {
  expect(Object.keys(dims).length, `${where}: metric without dimensions`).toBeGreaterThan(0);
  for (const [k, v] of Object.entries(dims)) {
    if (k === 'HealthCheckId') {
      expect(v, where).toMatch(/aws_route53_health_check\.|aws_route53_records\./);
      continue;
    }
    expect(names[k], `${where}: unknown dimension ${k}`).toBeDefined();
    expect([...names[k]], `${where}: ${k}=${v} names no synthesized resource`).toContain(v);
  }
}

describe('alerting', () => {
  it.each([
    ['primary', 'us-east-1', 'use1'],
    ['secondary', 'us-east-2', 'use2'],
  ] as const)(
    '%s: CMK-encrypted topic in %s with the configured e-mail subscriptions',
    (id, region, code) => {
      const topic = only(s[id], 'aws_sns_topic');
      expect(topic).toMatchObject({
        name: `payment-processing-alerts-test-${code}`,
        kms_master_key_id: '${data.aws_kms_key.ops-key.arn}',
      });
      expect(regionOf(s[id], topic)).toBe(region);
      const subs = resources(s[id], 'aws_sns_topic_subscription').map(([, x]) => x);
      expect(subs.map((x) => [x.protocol, x.endpoint])).toEqual([
        ['email', 'oncall@example.com'],
        ['email', 'payments-lead@example.com'],
      ]);
    },
  );

  it('gives every alarm of every stack alarm and OK actions to a topic of its own region', () => {
    const alarms = all.filter((r) => r.type === 'aws_cloudwatch_metric_alarm');
    expect(alarms.length).toBeGreaterThan(40);
    for (const a of alarms) {
      const stack = s[a.stack] as TfJson;
      const region = regionOf(stack, a.attrs);
      for (const key of ['alarm_actions', 'ok_actions']) {
        const actions = a.attrs[key] as string[];
        expect(actions, `${a.name}.${key}`).toHaveLength(1);
        const ref = /^\$\{aws_sns_topic\.([\w-]+)\.arn\}$/.exec(actions[0]);
        if (ref === null) {
          // A stack without a topic of its own (the failover stack) names its region's topic by its deterministic
          // ARN; that topic must be one a regional stack deploys in the same region.
          const m =
            /^arn:aws:sns:([a-z0-9-]+):\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:([\w-]+)$/.exec(
              actions[0],
            );
          expect(
            m,
            `${a.name}.${key} is neither a topic of this stack nor a deployed topic's ARN`,
          ).not.toBeNull();
          const [, topicRegion, topicName] = m as RegExpExecArray;
          expect(topicRegion, `${a.name}: topic in another region`).toBe(region);
          expect(
            all.some(
              (r) =>
                r.type === 'aws_sns_topic' &&
                r.attrs.name === topicName &&
                regionOf(s[r.stack] as TfJson, r.attrs) === region,
            ),
            `${a.name}: ${topicName} is not deployed in ${region}`,
          ).toBe(true);
          continue;
        }
        const topic = stack.resource?.aws_sns_topic?.[ref[1]] as Attrs;
        expect(regionOf(stack, topic), `${a.name}: topic in another region`).toBe(region);
      }
    }
  });

  it('names only deployed resources in alarm dimensions (no dangling names, no dimensionless metrics)', () => {
    const names = deployedNames();
    let custom = 0;
    let detection = 0;
    for (const a of all.filter((r) => r.type === 'aws_cloudwatch_metric_alarm')) {
      const metrics = metricsOf(a.attrs);
      if (metrics.some((m) => m.namespace === detectionNamespace)) {
        // The detectors' own data points: a metric they publish, from a vantage point where a detector runs.
        for (const m of metrics) {
          expect(m.namespace, a.name).toBe(detectionNamespace);
          expect(Object.values(DETECTION_METRICS), a.name).toContain(m.metric_name);
          expect(Object.keys(m.dimensions), a.name).toEqual([DETECTION_METRICS.dimension]);
          expect([...vantages], `${a.name}: no detector runs in ${m.dimensions.Vantage}`).toContain(
            m.dimensions.Vantage,
          );
        }
        detection++;
        continue;
      }
      if (String(a.attrs.namespace).startsWith('PaymentsDR/')) {
        // Project metrics come from log metric filters of the same stack: the filter must exist.
        const filters = resources(s[a.stack], 'aws_cloudwatch_log_metric_filter').map(
          ([, f]) => f.metric_transformation as Attrs,
        );
        expect(
          filters.some((f) => f.namespace === a.attrs.namespace && f.name === a.attrs.metric_name),
          a.name,
        ).toBe(true);
        custom++;
        continue;
      }
      if (a.attrs.metric_query !== undefined) {
        // Metrics Insights query alarms (the RPO lag): the cluster the WHERE clause names must be deployed.
        const q = (a.attrs.metric_query as Attrs[])[0];
        const m = /WHERE DBClusterIdentifier = '([^']+)'$/.exec(String(q.expression));
        expect(m, a.name).not.toBeNull();
        assertDimensionsExist(
          { DBClusterIdentifier: (m as RegExpExecArray)[1] },
          `${a.stack}/${a.name}`,
          names,
        );
        continue;
      }
      assertDimensionsExist(a.attrs.dimensions as Record<string, string>, `${a.stack}/${a.name}`, names);
    }
    // Project metrics come only from the detectors; no alarm reads a metric filter of the project's namespace.
    expect(custom).toBe(0);
    expect(detection).toBeGreaterThanOrEqual(4);
    expect([...vantages].sort()).toEqual(['us-east-2', 'us-west-2']);
  });

  it('covers every required signal in each region', () => {
    for (const id of ['primary', 'secondary'] as const) {
      const metrics = resources(s[id], 'aws_cloudwatch_metric_alarm').map(
        ([, a]) => `${String(a.namespace)}/${String(a.metric_name)}`,
      );
      for (const m of [
        'AWS/RDS/AuroraGlobalDBReplicationLag',
        'AWS/RDS/CPUUtilization',
        'AWS/RDS/DatabaseConnections',
        'AWS/RDS/ACUUtilization',
        'AWS/DynamoDB/ReplicationLatency',
        'AWS/DynamoDB/ReadThrottleEvents',
        'AWS/DynamoDB/WriteThrottleEvents',
        'AWS/S3/ReplicationLatency',
        'AWS/S3/OperationsFailedReplication',
        'AWS/Lambda/Errors',
        'AWS/Lambda/AsyncEventsDropped',
        'AWS/Lambda/Throttles',
        'AWS/Lambda/Duration',
        'AWS/ApiGateway/5XXError',
        'AWS/ApiGateway/Latency',
      ]) {
        expect(metrics, `${id} lacks ${m}`).toContain(m);
      }
    }
  });

  it('alarms S3 replication above the RTC threshold and Aurora lag above the configured threshold', () => {
    const s3 = only(
      s.primary,
      'aws_cloudwatch_metric_alarm',
      (a) => a.metric_name === 'ReplicationLatency' && a.namespace === 'AWS/S3',
    );
    expect(s3).toMatchObject({ threshold: 900, comparison_operator: 'GreaterThanThreshold' });
    const t = synthAll(testConfig({ thresholds: { auroraReplicationLagMs: 250 } }));
    const lag = only(
      t.secondary,
      'aws_cloudwatch_metric_alarm',
      (a) => a.metric_name === 'AuroraGlobalDBReplicationLag',
    );
    expect(lag).toMatchObject({ threshold: 250, treat_missing_data: 'notBreaching' });
    const p99 = only(s.primary, 'aws_cloudwatch_metric_alarm', (a) => a.metric_name === 'Latency');
    expect(p99).toMatchObject({ extended_statistic: 'p99', threshold: 1500 });
    expect(p99.statistic).toBeUndefined();
  });

  it('shapes every function failure alarm so that it can fire: one failed run pages a rarely run function', () => {
    const alarm = (id: 'primary' | 'secondary', name: string) =>
      only(s[id], 'aws_cloudwatch_metric_alarm', (a) => a.alarm_name === name);
    // Runs on demand (the plan's fence step, relay, migration): one error in one run interval.
    for (const [id, fn, alarmId, period] of [
      ['primary', 'payment-processing-fence-test-use1', 'fence-errors', 60],
      ['secondary', 'payment-processing-fence-test-use2', 'fence-errors', 60],
      ['secondary', 'payment-processing-alert-relay-test', 'alert-relay-errors', 60],
      ['primary', 'payment-processing-migrate-test-use1', 'migrate-errors', 60],
      ['secondary', 'payment-processing-migrate-test-use2', 'migrate-errors', 60],
    ] as const) {
      const code = id === 'primary' ? 'use1' : 'use2';
      expect(alarm(id, `payment-processing-${alarmId}-test-${code}`), fn).toMatchObject({
        namespace: 'AWS/Lambda',
        metric_name: 'Errors',
        dimensions: { FunctionName: fn },
        statistic: 'Sum',
        period,
        evaluation_periods: 1,
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
        treat_missing_data: 'notBreaching',
      });
    }
    // The payment function serves traffic (a rate alarm) and runs the reconcile every 5 minutes: its failed runs
    // are the asynchronous events Lambda drops, one of which pages.
    for (const id of ['primary', 'secondary'] as const) {
      const code = id === 'primary' ? 'use1' : 'use2';
      expect(alarm(id, `payment-processing-payment-api-errors-test-${code}`)).toMatchObject({
        metric_name: 'Errors',
        threshold: 5,
        period: 60,
        evaluation_periods: 2,
        comparison_operator: 'GreaterThanThreshold',
      });
      expect(alarm(id, `payment-processing-payment-api-reconcile-failed-test-${code}`)).toMatchObject({
        metric_name: 'AsyncEventsDropped',
        dimensions: { FunctionName: `payment-processing-payment-api-test-${code}` },
        statistic: 'Sum',
        period: 300,
        evaluation_periods: 1,
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('pages on any message in either dead-letter queue: the last copy of a relayed alert or a failed run', () => {
    const queues = resources(s.secondary, 'aws_sqs_queue').map(([, q]) => String(q.name));
    expect(queues.sort()).toEqual([
      'payment-processing-alert-relay-dlq-test',
      'payment-processing-reconcile-failures-test-use2',
    ]);
    for (const q of queues) {
      const a = only(
        s.secondary,
        'aws_cloudwatch_metric_alarm',
        (x) =>
          x.metric_name === 'ApproximateNumberOfMessagesVisible' && (x.dimensions as Attrs).QueueName === q,
      );
      expect(a).toMatchObject({
        namespace: 'AWS/SQS',
        statistic: 'Maximum',
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
        period: 60,
        evaluation_periods: 1,
        treat_missing_data: 'notBreaching',
      });
      expect(regionOf(s.secondary, a)).toBe('us-east-2');
    }
    // The primary has only the reconcile schedule's on-failure destination, paged the same way.
    const primaryQueues = resources(s.primary, 'aws_sqs_queue').map(([, q]) => String(q.name));
    expect(primaryQueues).toEqual(['payment-processing-reconcile-failures-test-use1']);
    const a = only(
      s.primary,
      'aws_cloudwatch_metric_alarm',
      (x) => (x.dimensions as Attrs | undefined)?.QueueName === primaryQueues[0],
    );
    expect(a).toMatchObject({ metric_name: 'ApproximateNumberOfMessagesVisible', threshold: 0, period: 60 });
  });

  it.each([
    ['primary', 'use1'],
    ['secondary', 'use2'],
  ] as const)(
    "%s: alarms on its own cluster's AuroraGlobalDBRPOLag, whatever dimensions AWS adds",
    (id, code) => {
      const a = only(s[id], 'aws_cloudwatch_metric_alarm', (x) => String(x.alarm_name).includes('rpo-lag'));
      expect(a).toMatchObject({
        alarm_name: `payment-processing-ledger-rpo-lag-test-${code}`,
        threshold: 5000,
        comparison_operator: 'GreaterThanThreshold',
        evaluation_periods: 2,
        // The metric exists only where the cluster is a secondary: the writer region has none.
        treat_missing_data: 'notBreaching',
        metric_query: [
          {
            id: 'rpo_lag',
            // FROM a namespace (not SCHEMA) matches the metric under any dimension set, filtered to this cluster.
            expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'payment-processing-ledger-test-${code}'`,
            period: 60,
            return_data: true,
          },
        ],
      });
      expect(a.namespace).toBeUndefined();
      const bounded = synthAll(
        testConfig({ database: { rpoBoundSeconds: 60 }, thresholds: { auroraRpoLagMs: 30_000 } }),
      );
      const b = only(bounded[id], 'aws_cloudwatch_metric_alarm', (x) =>
        String(x.alarm_name).includes('rpo-lag'),
      );
      expect(b.threshold).toBe(30_000);
      // The primary's bound acts on the secondary's lag; after a failover the new writer runs without one.
      expect(
        String(b.alarm_description).includes('at 60 s rds.global_db_rpo pauses every ledger commit'),
      ).toBe(id === 'secondary');
    },
  );

  it('pages when a region ledger stops reporting (missing connections data breaches)', () => {
    for (const id of ['primary', 'secondary'] as const) {
      const conn = only(s[id], 'aws_cloudwatch_metric_alarm', (a) => a.metric_name === 'DatabaseConnections');
      expect(conn).toMatchObject({ treat_missing_data: 'breaching', evaluation_periods: 5, period: 60 });
    }
  });
});

describe('dashboard', () => {
  const dashboards = resources(s.interconnect, 'aws_cloudwatch_dashboard').map(([, d]) => d);
  const body = JSON.parse(String(dashboards[0]?.dashboard_body)) as {
    widgets: Array<{ properties: { title: string; metrics: Array<Array<string | Attrs>> } }>;
  };
  const metricLines = body.widgets.flatMap((w) =>
    w.properties.metrics.map((m) => ({ title: w.properties.title, m })),
  );

  it('is one definition deployed identically in both regions', () => {
    expect(dashboards).toHaveLength(2);
    expect(dashboards.map((d) => regionOf(s.interconnect, d)).sort()).toEqual(['us-east-1', 'us-east-2']);
    expect(dashboards[1].dashboard_body).toBe(dashboards[0].dashboard_body);
    expect(dashboards.map((d) => d.dashboard_name).sort()).toEqual([
      'payment-processing-dr-test-use1',
      'payment-processing-dr-test-use2',
    ]);
  });

  it('aggregates both regions for every component', () => {
    const regions = (pattern: RegExp) =>
      new Set(
        metricLines
          .filter(({ m }) => pattern.test(`${String(m[0])}/${String(m[1])}`))
          .map(({ m }) => (m[m.length - 1] as Attrs).region),
      );
    for (const p of [
      /^AWS\/RDS\//,
      /^AWS\/Lambda\//,
      /^AWS\/ApiGateway\//,
      /^AWS\/S3\/Replication/,
      /^AWS\/DynamoDB\/ReplicationLatency/,
    ]) {
      expect([...regions(p)].sort(), String(p)).toEqual(['us-east-1', 'us-east-2']);
    }
    expect([...regions(/^AWS\/Route53\/HealthCheckStatus$/)]).toEqual(['us-east-1']);
  });

  it('gives every dashboard metric real dimensions of synthesized resources', () => {
    const names = deployedNames();
    for (const { title, m } of metricLines) {
      const dims: Record<string, string> = {};
      const parts = m.slice(2, -1) as string[];
      for (let i = 0; i < parts.length; i += 2) dims[parts[i]] = parts[i + 1];
      assertDimensionsExist(dims, `dashboard "${title}" ${String(m[1])}`, names);
    }
  });

  it('reads the primary health check id from the PRIMARY failover record, not from another stack state', () => {
    const hc = metricLines.find(({ m }) => m[1] === 'HealthCheckStatus')?.m as string[];
    expect(hc[3]).toContain('data.aws_route53_records.public-records.resource_record_sets');
    const lookup = s.interconnect.data?.aws_route53_records?.['public-records'] as Attrs;
    expect(lookup).toMatchObject({
      zone_id: 'Z0TEST0000000000000',
      name_regex: '^payments\\.example\\.com\\.?$',
    });
  });
});
