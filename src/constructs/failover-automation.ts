import { CloudwatchLogMetricFilter } from '@cdktn/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { WATCHDOG_DECIDED } from '../../runtime/failover/log-events';
import { renderOrchestratorEnv } from '../../runtime/failover/orchestrator-env';
import { defaultHistorySize, probeSpacingMs, renderWatchdogEnv } from '../../runtime/failover/watchdog-env';
import type { LambdaBundles } from '../bundling/functions';
import type { Config, Region } from '../config';
import { allow, arn, encryptedMessaging, tableAccess } from '../grants';
import type { PolicyStatement } from '../iam';
import type { ResourceNames } from '../resource-names';
import { deadLetterQueue } from './dead-letter-queue';
import { DrFunction } from './lambda-function';

export interface FailoverAutomationProps {
  provider: AwsProvider;
  /** Mode, probe schedule and thresholds of the watchdog. */
  failover: Config['failover'];
  /** Names the environment in notifications and the metric namespace. */
  environmentSuffix: string;
  logRetentionDays: number;
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
    const { provider, names, region, accountId } = p;
    const config = p.failover;
    const stateTableName = names.stateTable;
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
    this.deadLetters = deadLetterQueue(this, {
      provider,
      name: names.watchdogDeadLetters,
      kmsKeyArn: p.opsKeyArn,
    });

    const ledger = (clusters: Region[]) => [
      arn.rdsGlobalCluster(accountId, names.globalClusterId),
      ...clusters.map((r) => arn.rdsCluster(r, accountId, names.clusterId(r))),
    ];
    const stateStatements: PolicyStatement[] = [
      ...tableAccess(this.stateTable.arn, {
        sid: 'StateAndLock',
        keySid: 'StateTableKey',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        keyArn: p.dataKeyArn,
        region,
      }),
      ...encryptedMessaging(p.topicArn, {
        sid: 'Notify',
        keySid: 'NotifyKey',
        service: 'sns',
        keyArn: p.opsKeyArn,
        region,
      }),
    ];
    const topologyRead = (clusters: Region[]): PolicyStatement =>
      allow('ReadTopology', ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'], ledger(clusters));
    const promote = (clusters: Region[], actions: string[]): PolicyStatement =>
      allow('PromoteSecondary', actions, ledger(clusters));
    const common = {
      provider,
      accountId,
      region,
      dataKeyArn: p.dataKeyArn,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      memoryMb: 256,
    };
    const promotion = {
      globalClusterId: names.globalClusterId,
      secondaryClusterId: names.clusterId(region),
      stateTable: stateTableName,
      topicArn: p.topicArn,
      environment: p.environmentSuffix,
    };

    this.orchestrator = new DrFunction(this, 'orchestrator', {
      ...common,
      functionName: names.orchestratorFunction,
      description: 'Failover / switchover / failback of the ledger global database (idempotent, locked)',
      bundle: p.bundles.orchestrator,
      timeoutSeconds: 900,
      environment: renderOrchestratorEnv({
        ...promotion,
        primaryClusterId: names.clusterId(p.primaryRegion),
        primaryRegion: p.primaryRegion,
      }),
      // Failback promotes the primary region's cluster again, so both clusters are named here.
      statements: [
        ...stateStatements,
        topologyRead([region, p.primaryRegion]),
        promote([region, p.primaryRegion], ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster']),
      ],
    });

    const automatic = config.mode === 'automatic';
    this.watchdog = new DrFunction(this, 'watchdog', {
      ...common,
      functionName: names.watchdogFunction,
      description: `Probes the primary from ${region}; ${automatic ? 'promotes' : 'alerts'} after sustained failure`,
      bundle: p.bundles.watchdog,
      // In automatic mode a run may wait for the promotion it started.
      timeoutSeconds: 900,
      environment: renderWatchdogEnv({
        ...promotion,
        primaryHealthUrl: p.primaryHealthUrl,
        probesPerRun: config.watchdogProbesPerRun,
        probeSpacingMs: probeSpacingMs(config.watchdogIntervalMinutes, config.watchdogProbesPerRun),
        failureThreshold: config.watchdogConsecutiveFailures,
        historySize: defaultHistorySize(config.watchdogConsecutiveFailures),
        mode: config.mode,
        orchestratorFunctionName: names.orchestratorFunction,
      }),
      // Manual mode cannot promote: the permission is not even granted. In automatic mode the watchdog only
      // ever runs an unplanned failover (watchdog-handler.ts), never a switchover.
      statements: [
        ...stateStatements,
        topologyRead([region]),
        ...(automatic ? [promote([region, p.primaryRegion], ['rds:FailoverGlobalCluster'])] : []),
        ...encryptedMessaging(this.deadLetters.arn, {
          sid: 'DeadLetters',
          keySid: 'DeadLettersKey',
          service: 'sqs',
          keyArn: p.opsKeyArn,
          region,
        }),
      ],
    });

    const minutes = config.watchdogIntervalMinutes;
    this.schedule = new CloudwatchEventRule(this, 'schedule', {
      provider,
      name: names.watchdogSchedule,
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
    this.metricNamespace = `PaymentsDR/${p.environmentSuffix}`;
    const decided = `$.message = "${WATCHDOG_DECIDED}"`;
    const filters = {
      WatchdogRuns: `{ ${decided} }`,
      WatchdogSuspect: `{ ${decided} && $.action = "alert-suspect" }`,
      WatchdogDeclaredFailed: `{ ${decided} && $.action = "declare-failed" }`,
    };
    for (const [metric, pattern] of Object.entries(filters)) {
      new CloudwatchLogMetricFilter(this, `metric-${metric}`, {
        provider,
        name: names.watchdogMetric(metric.replace(/^Watchdog/, '').toLowerCase()),
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
        alarmName: names.watchdogMetric(id),
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
