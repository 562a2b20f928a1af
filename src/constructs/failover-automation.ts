import { CloudwatchLogMetricFilter } from '@cdktn/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { WATCHDOG_DECIDED } from '../../runtime/failover/log-events';
import type { LambdaBundles } from '../bundling/functions';
import type { Config, Region } from '../config';
import { DYNAMODB_TABLE_KEY_ACTIONS, keyUseThrough, type PolicyStatement } from '../iam';
import type { Naming } from '../naming';
import type { ResourceNames } from '../resource-names';
import { DrFunction } from './lambda-function';

export interface FailoverAutomationProps {
  provider: AwsProvider;
  config: Config;
  naming: Naming;
  names: ResourceNames;
  /** The region the automation runs in: the secondary. Nothing here calls the primary region. */
  region: Region;
  primaryRegion: Region;
  accountId: string;
  bundles: LambdaBundles;
  dataKeyArn: string;
  opsKeyArn: string;
  topicArn: string;
  /** The primary's own API name (not the failover name): what the watchdog probes from outside. */
  primaryHealthUrl: string;
}

/** Promotion waits at most this long for the new writer; the functions' timeouts leave room above it. */
export const PROMOTION_TIMEOUT_MS = 600_000;

/**
 * Database failover automation, entirely in the secondary region: a scheduled watchdog that probes the
 * primary's /health from outside and reads the global cluster topology through this region's RDS endpoint,
 * keeping its state in a regional DynamoDB table (CMK, PITR); in `automatic` mode it promotes this region's
 * cluster itself (in `manual` mode it only alerts); the orchestrator function runs the same promotion logic
 * on demand (operators, drills). Both notify this region's topic. Failed scheduled runs land in an encrypted
 * dead-letter queue.
 */
export class FailoverAutomation extends Construct {
  readonly stateTable: DynamodbTable;
  readonly watchdog: DrFunction;
  readonly orchestrator: DrFunction;
  readonly schedule: CloudwatchEventRule;
  readonly deadLetters: SqsQueue;
  /** Namespace of the metrics the watchdog's log lines produce (through metric filters). */
  readonly metricNamespace: string;

  constructor(scope: Construct, id: string, p: FailoverAutomationProps) {
    super(scope, id);
    const { provider, names, region, accountId, config } = p;
    const stateTableName = p.naming.name('dr-state');
    this.stateTable = new DynamodbTable(this, 'state', {
      provider,
      name: stateTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      attribute: [{ name: 'pk', type: 'S' }],
      ttl: { attributeName: 'expiresAt', enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: p.dataKeyArn },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: false,
    });
    this.deadLetters = new SqsQueue(this, 'dlq', {
      provider,
      name: p.naming.name('watchdog-dlq'),
      kmsMasterKeyId: p.opsKeyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    const globalClusterArn = `arn:aws:rds::${accountId}:global-cluster:${names.globalClusterId}`;
    const clusterArn = (r: Region) => `arn:aws:rds:${r}:${accountId}:cluster:${names.clusterId(r)}`;
    const stateStatements: PolicyStatement[] = [
      {
        Sid: 'StateAndLock',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: this.stateTable.arn,
      },
      // The state table is encrypted with this region's data key, whose key policy only delegates to IAM
      // (through DynamoDB): without this grant every read and write of the table is denied.
      keyUseThrough('StateTableKey', p.dataKeyArn, DYNAMODB_TABLE_KEY_ACTIONS, ['dynamodb'], region),
      { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: p.topicArn },
      keyUseThrough('NotifyKey', p.opsKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], ['sns'], region),
    ];
    const topologyRead = (clusters: Region[]): PolicyStatement => ({
      Sid: 'ReadTopology',
      Effect: 'Allow',
      Action: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
      Resource: [globalClusterArn, ...clusters.map(clusterArn)],
    });
    const promote = (clusters: Region[], actions: string[]): PolicyStatement => ({
      Sid: 'PromoteSecondary',
      Effect: 'Allow',
      Action: actions,
      Resource: [globalClusterArn, ...clusters.map(clusterArn)],
    });
    const common = {
      provider,
      accountId,
      region,
      dataKeyArn: p.dataKeyArn,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: config.logRetentionDays,
      memoryMb: 256,
    };
    const clusterEnv = {
      GLOBAL_CLUSTER_ID: names.globalClusterId,
      SECONDARY_CLUSTER_ID: names.clusterId(region),
      STATE_TABLE: stateTableName,
      TOPIC_ARN: p.topicArn,
      ENVIRONMENT_SUFFIX: config.environmentSuffix,
      PROMOTION_TIMEOUT_MS: String(PROMOTION_TIMEOUT_MS),
    };

    this.orchestrator = new DrFunction(this, 'orchestrator', {
      ...common,
      functionName: p.naming.name('orchestrator'),
      description: 'Failover / switchover / failback of the ledger global database (idempotent, locked)',
      bundle: p.bundles.orchestrator,
      timeoutSeconds: 900,
      environment: {
        ...clusterEnv,
        PRIMARY_CLUSTER_ID: names.clusterId(p.primaryRegion),
        PRIMARY_REGION: p.primaryRegion,
      },
      // Failback promotes the primary region's cluster again, so both clusters are named here.
      statements: [
        ...stateStatements,
        topologyRead([region, p.primaryRegion]),
        promote([region, p.primaryRegion], ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster']),
      ],
    });

    const automatic = config.failover.mode === 'automatic';
    this.watchdog = new DrFunction(this, 'watchdog', {
      ...common,
      functionName: p.naming.name('watchdog'),
      description: `Probes the primary from ${region}; ${automatic ? 'promotes' : 'alerts'} after sustained failure`,
      bundle: p.bundles.watchdog,
      // In automatic mode a run may wait for the promotion it started.
      timeoutSeconds: 900,
      environment: {
        ...clusterEnv,
        PRIMARY_HEALTH_URL: p.primaryHealthUrl,
        PROBE_TIMEOUT_MS: '3000',
        PROBES_PER_RUN: String(config.failover.watchdogProbesPerRun),
        PROBE_SPACING_MS: String(
          Math.floor(
            (config.failover.watchdogIntervalMinutes * 60_000) / config.failover.watchdogProbesPerRun,
          ),
        ),
        FAILURE_THRESHOLD: String(config.failover.watchdogConsecutiveFailures),
        HISTORY_SIZE: String(Math.max(10, config.failover.watchdogConsecutiveFailures)),
        FAILOVER_MODE: config.failover.mode,
        ORCHESTRATOR_FUNCTION_NAME: p.naming.name('orchestrator'),
      },
      // Manual mode cannot promote: the permission is not even granted. In automatic mode the watchdog only
      // ever runs an unplanned failover (watchdog-handler.ts), never a switchover.
      statements: [
        ...stateStatements,
        topologyRead([region]),
        ...(automatic ? [promote([region, p.primaryRegion], ['rds:FailoverGlobalCluster'])] : []),
        { Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: this.deadLetters.arn },
        keyUseThrough('DeadLettersKey', p.opsKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], ['sqs'], region),
      ],
    });

    const minutes = config.failover.watchdogIntervalMinutes;
    this.schedule = new CloudwatchEventRule(this, 'schedule', {
      provider,
      name: p.naming.name('watchdog'),
      description: 'Runs the failover watchdog',
      scheduleExpression: minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`,
    });
    new CloudwatchEventTarget(this, 'target', {
      provider,
      rule: this.schedule.name,
      arn: this.watchdog.arn,
      targetId: 'watchdog',
    });
    new LambdaPermission(this, 'schedule-invoke', {
      provider,
      statementId: 'AllowScheduleInvoke',
      action: 'lambda:InvokeFunction',
      functionName: this.watchdog.name,
      principal: 'events.amazonaws.com',
      sourceArn: this.schedule.arn,
    });
    // The next scheduled run is the retry: a failed run goes to the dead-letter queue instead of piling up.
    new LambdaFunctionEventInvokeConfig(this, 'async', {
      provider,
      functionName: this.watchdog.name,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 120,
      destinationConfig: { onFailure: { destination: this.deadLetters.arn } },
    });

    // The watchdog's decisions become metrics (from its JSON log lines) and alarms in this region. They count
    // the line logged as soon as a decision is saved, not the end of the run: in automatic mode the run ends
    // only after the in-process failover (minutes), or never when the function times out during it.
    this.metricNamespace = `PaymentsDR/${config.environmentSuffix}`;
    const decided = `$.message = "${WATCHDOG_DECIDED}"`;
    const filters = {
      WatchdogRuns: `{ ${decided} }`,
      WatchdogSuspect: `{ ${decided} && $.action = "alert-suspect" }`,
      WatchdogDeclaredFailed: `{ ${decided} && $.action = "declare-failed" }`,
    };
    for (const [metric, pattern] of Object.entries(filters)) {
      new CloudwatchLogMetricFilter(this, `metric-${metric}`, {
        provider,
        name: p.naming.name(`watchdog-${metric.replace(/^Watchdog/, '').toLowerCase()}`),
        logGroupName: this.watchdog.logGroup.name,
        pattern,
        metricTransformation: {
          namespace: this.metricNamespace,
          name: metric,
          value: '1',
          defaultValue: '0',
          unit: 'Count',
        },
      });
    }
    const alarm = (
      id: string,
      description: string,
      metric: string,
      comparison: string,
      threshold: number,
      periods: number,
      missing: string,
    ) =>
      new CloudwatchMetricAlarm(this, `alarm-${id}`, {
        provider,
        alarmName: p.naming.name(`watchdog-${id}`),
        alarmDescription: description,
        namespace: this.metricNamespace,
        metricName: metric,
        statistic: 'Sum',
        period: 60 * minutes,
        evaluationPeriods: periods,
        threshold,
        comparisonOperator: comparison,
        treatMissingData: missing,
        alarmActions: [p.topicArn],
        okActions: [p.topicArn],
      });
    alarm(
      'declared-failed',
      'The watchdog declared the primary region failed',
      'WatchdogDeclaredFailed',
      'GreaterThanOrEqualToThreshold',
      1,
      1,
      'notBreaching',
    );
    alarm(
      'suspect',
      'The watchdog sees the primary failing or flapping',
      'WatchdogSuspect',
      'GreaterThanOrEqualToThreshold',
      1,
      1,
      'notBreaching',
    );
    alarm(
      'not-running',
      'No watchdog run has reached a decision: failover detection is blind',
      'WatchdogRuns',
      'LessThanThreshold',
      1,
      5,
      'breaching',
    );
  }
}
