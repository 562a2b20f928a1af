import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { ResourceNames } from '../resource-names';
import type { MetricSpec, RegionCatalog } from './catalog';
import { functionFailureAlarm } from './function-alarms';
import { rpoLagAlarm } from './rpo-alarm';

export interface RegionalAlarmsProps {
  provider: AwsProvider;
  names: ResourceNames;
  catalog: RegionCatalog;
  thresholds: Config['thresholds'];
  /** The alert topic of the same region (CloudWatch alarm actions must be in the alarm's region). */
  topicArn: string;
  /** Function timeouts in ms, for the p99 duration alarms (alarm at 80 % of the timeout). */
  functionTimeoutsMs: Record<string, number>;
  /** database.rpoBoundSeconds (the primary's rds.global_db_rpo), when opted in. */
  rpoBoundSeconds?: number;
}

interface AlarmSpec {
  id: string;
  description: string;
  metric: MetricSpec;
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  /** Metrics that only exist in some states (e.g. replication lag on the secondary) are not breaching when absent. */
  missing: 'notBreaching' | 'breaching' | 'missing';
}

/**
 * Every alarm of one region, each with alarm and OK actions to the same region's topic: ledger replication lag,
 * capacity and load; DynamoDB replication latency and throttles; S3 replication latency past the RTC threshold
 * and failed operations; messages in a dead-letter queue; Lambda failures (shaped by how each function is
 * invoked), throttles and p99 duration; API 5xx and p99 latency.
 */
export class RegionalAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, p: RegionalAlarmsProps) {
    super(scope, id);
    const { catalog: c, thresholds: t } = p;
    const specs: AlarmSpec[] = [
      {
        id: 'ledger-replication-lag',
        description: `Aurora global replication lag above ${t.auroraReplicationLagMs} ms (ledger RPO at risk)`,
        metric: c.aurora.replicationLag,
        threshold: t.auroraReplicationLagMs,
        periodSeconds: 60,
        evaluationPeriods: 2,
        missing: 'notBreaching',
      },
      {
        id: 'ledger-cpu',
        description: 'Ledger CPU above 80 % for 15 minutes',
        metric: c.aurora.cpu,
        threshold: 80,
        periodSeconds: 300,
        evaluationPeriods: 3,
        missing: 'missing',
      },
      {
        id: 'ledger-connections',
        // Both clusters report DatabaseConnections every minute while an instance runs (0 included): no data
        // for five minutes means the region's cluster is gone, which must page rather than go quiet.
        description: `Ledger connections above ${t.auroraConnections}, or the cluster stopped reporting for 5 minutes`,
        metric: c.aurora.connections,
        threshold: t.auroraConnections,
        periodSeconds: 60,
        evaluationPeriods: 5,
        missing: 'breaching',
      },
      {
        id: 'ledger-capacity',
        description: 'Ledger Serverless v2 capacity above 90 % of its maximum ACUs for 15 minutes',
        metric: c.aurora.capacity,
        threshold: 90,
        periodSeconds: 300,
        evaluationPeriods: 3,
        missing: 'missing',
      },
      ...c.dynamodb.flatMap((d) => [
        ...(d.replicationLatency
          ? [
              {
                id: `${d.short}-replication-latency`,
                description: `DynamoDB ${d.table} replication to ${c.peer} slower than ${t.dynamodbReplicationLatencyMs} ms`,
                metric: d.replicationLatency,
                threshold: t.dynamodbReplicationLatencyMs,
                periodSeconds: 60,
                evaluationPeriods: 3,
                missing: 'notBreaching' as const,
              },
            ]
          : []),
        {
          id: `${d.short}-read-throttles`,
          description: `DynamoDB ${d.table} read throttling`,
          metric: d.readThrottles,
          threshold: 0,
          periodSeconds: 60,
          evaluationPeriods: 1,
          missing: 'notBreaching' as const,
        },
        {
          id: `${d.short}-write-throttles`,
          description: `DynamoDB ${d.table} write throttling`,
          metric: d.writeThrottles,
          threshold: 0,
          periodSeconds: 60,
          evaluationPeriods: 1,
          missing: 'notBreaching' as const,
        },
      ]),
      {
        id: 'receipts-replication-latency',
        description: `S3 receipts replication to ${c.peer} slower than ${t.s3ReplicationLatencySeconds} s (RTC threshold)`,
        metric: c.s3.replicationLatency,
        threshold: t.s3ReplicationLatencySeconds,
        periodSeconds: 60,
        evaluationPeriods: 5,
        missing: 'notBreaching',
      },
      {
        id: 'receipts-replication-failed',
        description: `S3 receipts replication to ${c.peer} failed for some objects`,
        metric: c.s3.failed,
        threshold: 0,
        periodSeconds: 60,
        evaluationPeriods: 1,
        missing: 'notBreaching',
      },
      ...c.deadLetterQueues.map((q) => ({
        id: q.short,
        // A dead-letter queue holds the last copy of something that failed; any message in it needs a person.
        description: `${q.name} holds messages: ${q.what}; inspect and redrive them`,
        metric: q.visible,
        threshold: 0,
        periodSeconds: 60,
        evaluationPeriods: 1,
        // SQS reports a queue's metrics while it is active, and a queue holding messages is (SQS Developer Guide,
        // "Available CloudWatch metrics for Amazon SQS"): no data means an empty, idle queue.
        missing: 'notBreaching' as const,
      })),
      ...c.functions.flatMap((f) => [
        {
          id: `${f.short}-throttles`,
          description: `${f.name} throttled`,
          metric: f.throttles,
          threshold: 0,
          periodSeconds: 60,
          evaluationPeriods: 1,
          missing: 'notBreaching' as const,
        },
        {
          id: `${f.short}-duration-p99`,
          description: `${f.name} p99 duration above 80 % of its timeout`,
          metric: f.duration,
          threshold: Math.round(0.8 * (p.functionTimeoutsMs[f.name] ?? 10_000)),
          periodSeconds: 300,
          evaluationPeriods: 1,
          missing: 'notBreaching' as const,
        },
      ]),
      {
        id: 'api-5xx',
        description: `API 5xx above ${t.api5xxPerMinute}/min`,
        metric: c.api.errors5xx,
        threshold: t.api5xxPerMinute,
        periodSeconds: 60,
        evaluationPeriods: 2,
        missing: 'notBreaching',
      },
      {
        id: 'api-latency-p99',
        description: `API p99 latency above ${t.apiP99LatencyMs} ms`,
        metric: c.api.latency,
        threshold: t.apiP99LatencyMs,
        periodSeconds: 300,
        evaluationPeriods: 1,
        missing: 'notBreaching',
      },
    ];

    this.alarms.push(
      rpoLagAlarm(this, 'ledger-rpo-lag', {
        provider: p.provider,
        alarmName: p.names.regionalAlarm('ledger-rpo-lag', c.region),
        metric: c.aurora.rpoLag,
        thresholdMs: t.auroraRpoLagMs,
        ...(p.rpoBoundSeconds !== undefined ? { rpoBoundSeconds: p.rpoBoundSeconds } : {}),
        topicArn: p.topicArn,
      }),
    );

    // Failure alarms shaped by how each function is invoked (function-alarms.ts): a rate alarm could never fire
    // for a function that runs once a minute or on demand.
    for (const f of c.functions) {
      for (const failure of f.failures) {
        const id = `${f.short}-${failure.id}`;
        this.alarms.push(
          functionFailureAlarm(this, id, {
            provider: p.provider,
            alarmName: p.names.regionalAlarm(id, c.region),
            functionName: f.name,
            profile: failure.profile,
            metricName: failure.metricName,
            description: failure.description,
            topicArn: p.topicArn,
          }),
        );
      }
    }

    for (const a of specs) {
      const isPercentile = /^p\d+(\.\d+)?$/.test(a.metric.stat);
      this.alarms.push(
        new CloudwatchMetricAlarm(this, a.id, {
          provider: p.provider,
          alarmName: p.names.regionalAlarm(a.id, c.region),
          alarmDescription: a.description,
          namespace: a.metric.namespace,
          metricName: a.metric.metricName,
          dimensions: a.metric.dimensions,
          ...(isPercentile ? { extendedStatistic: a.metric.stat } : { statistic: a.metric.stat }),
          period: a.periodSeconds,
          evaluationPeriods: a.evaluationPeriods,
          threshold: a.threshold,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: a.missing,
          alarmActions: [p.topicArn],
          okActions: [p.topicArn],
        }),
      );
    }
  }
}
