import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import {
  type AlarmSpec,
  DETECTOR_BLIND_ALARM,
  primaryFailedAlarm,
  primaryFailedExpression,
  SECONDARY_UNHEALTHY_ALARM,
  vantageQueryId,
} from '../../runtime/detection/agreement';
import { renderDetectorEnv, runTiming } from '../../runtime/detection/env';
import { DETECTION_METRICS } from '../../runtime/detection/metrics';
import { runTimeoutSeconds } from '../../runtime/detection/schedule';
import type { LambdaBundle } from '../bundling/functions';
import type { Config, Region } from '../config';
import { allow, encryptedMessaging } from '../grants';
import type { PolicyStatement } from '../iam';
import type { ResourceNames } from '../resource-names';
import { deadLetterQueue } from './dead-letter-queue';
import { type DetectorKeySafety, detectorKey } from './detector-key';
import { DrFunction } from './lambda-function';

export interface DetectionVantage {
  region: Region;
  /** A provider for that region. */
  provider: AwsProvider;
  /**
   * The customer-managed key of the detector's environment, log group and dead-letter queue in that region.
   * @default a key of its own, created here (the project has no key in the witness region)
   */
  keyArn?: string;
}

export interface DetectionProps {
  names: ResourceNames;
  accountId: string;
  /** The region probed for failure. */
  primaryRegion: Region;
  /** The failover target: its health is reported too, and the alarms live there (and the data points go there). */
  secondaryRegion: Region;
  /** Exactly two vantage points sharing no failure domain; the one in the secondary region owns the alarms. */
  vantages: [DetectionVantage, DetectionVantage];
  failover: Pick<Config['failover'], 'detectionMinutes' | 'probesPerRun' | 'probeTimeoutMs'>;
  bundle: LambdaBundle;
  logRetentionDays: number;
  /** The secondary region's alert topic: alarm and OK notifications of the three kinds of alarms. */
  alarmTopicArn: string;
  /** @default the secondary region's public `/health` (see vantage.ts) */
  controlUrl?: string;
  /** The safety profile's key settings, for the detector keys this construct creates. */
  keySafety: DetectorKeySafety;
}

export interface Detector {
  region: Region;
  fn: DrFunction;
  schedule: CloudwatchEventRule;
  deadLetters: SqsQueue;
  blindAlarm: CloudwatchMetricAlarm;
}

/**
 * Failure detection that needs agreement (runtime/detection/): a detector function in each vantage point,
 * run every minute by EventBridge, probes the primary's signed `/health/probe` beside a control target and
 * publishes its verdict to CloudWatch in the secondary region; the one in the secondary region also reports
 * the secondary's own health. There, `primary-failed` fires when both vantage points agree for
 * `detectionMinutes`, and `secondary-unhealthy` when the failover target has not been seen healthy (the
 * failover trigger needs the first in ALARM and the second OK). A `detector-blind-<region>` alarm per vantage
 * point (in the secondary region, next to the topic) fires when its runs fail, time out, are throttled, stop
 * being scheduled, or are all inconclusive: whatever keeps verdicts from arriving.
 *
 * The functions run outside any VPC: they probe the public API names, as a client does, and the project has
 * no NAT gateway (.checkov.yaml, CKV_AWS_117). Each role may publish metrics only to the detection namespace
 * and invoke only the probe routes it probes. execute-api ARNs are `<api-id>/<stage>/<METHOD>/<path>`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-iam-policy-examples-for-api-execution.html);
 * the API ids are not known outside the regional stacks, and must not be read from them (the failover stack
 * plans without us-east-1), so the ARNs name any API id with the stage, method and path (`executeApiArn`).
 */
export class Detection extends Construct {
  readonly detectors: Detector[];
  readonly primaryFailedAlarm: CloudwatchMetricAlarm;
  readonly secondaryUnhealthyAlarm: CloudwatchMetricAlarm;
  readonly primaryFailedAlarmName: string;
  readonly secondaryUnhealthyAlarmName: string;
  readonly metricNamespace: string;

  constructor(scope: Construct, id: string, p: DetectionProps) {
    super(scope, id);
    const { names, accountId } = p;
    const home = p.vantages.find((v) => v.region === p.secondaryRegion);
    if (!home) throw new Error(`one vantage point must be in the secondary region ${p.secondaryRegion}`);
    if (p.vantages.some((v) => v.region === p.primaryRegion) || p.vantages[0].region === p.vantages[1].region)
      throw new Error('the two vantage points must be two regions other than the primary');
    this.metricNamespace = names.detectionNamespace;
    const timing = runTiming(p.failover);
    const alarm = (
      scope2: Construct,
      id2: string,
      name: string,
      description: string,
      spec: AlarmSpec,
      metric: object,
    ) =>
      new CloudwatchMetricAlarm(scope2, id2, {
        provider: home.provider,
        alarmName: name,
        alarmDescription: description,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        treatMissingData: spec.treatMissingData,
        alarmActions: [p.alarmTopicArn],
        okActions: [p.alarmTopicArn],
        ...metric,
      });

    this.detectors = p.vantages.map((v) => {
      const scope2 = new Construct(this, v.region);
      const keyArn =
        v.keyArn ??
        detectorKey(scope2, {
          ...v,
          accountId,
          alias: names.detectorKeyAlias(v.region),
          safety: p.keySafety,
        }).arn;
      const deadLetters = deadLetterQueue(scope2, {
        provider: v.provider,
        name: names.detectorDeadLetters(v.region),
        kmsKeyArn: keyArn,
      });
      const watchesSecondary = v.region === p.secondaryRegion;
      const probed = watchesSecondary ? [p.primaryRegion, p.secondaryRegion] : [p.primaryRegion];
      const statements: PolicyStatement[] = [
        {
          // PutMetricData has no resource-level permissions; the namespace condition key limits it
          // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html).
          ...allow('PublishVerdicts', 'cloudwatch:PutMetricData', '*'),
          Condition: { StringEquals: { 'cloudwatch:namespace': this.metricNamespace } },
        },
        allow(
          'InvokeProbeRoutes',
          'execute-api:Invoke',
          probed.map((r) =>
            names.executeApiArn(r, accountId, names.probeRoute.method, names.probeRoute.path),
          ),
        ),
        ...encryptedMessaging(deadLetters.arn, {
          sid: 'DeadLetters',
          keySid: 'DeadLettersKey',
          service: 'sqs',
          keyArn,
          region: v.region,
        }),
      ];
      const fn = new DrFunction(scope2, 'detector', {
        provider: v.provider,
        functionName: names.detectorFunction(v.region),
        description: `Probes the primary from ${v.region}; publishes its verdict to ${p.secondaryRegion}`,
        bundle: p.bundle,
        dataKeyArn: keyArn,
        logsKeyArn: keyArn,
        logRetentionDays: p.logRetentionDays,
        accountId,
        region: v.region,
        memoryMb: 256,
        timeoutSeconds: runTimeoutSeconds(timing),
        environment: renderDetectorEnv({
          primaryProbeUrl: names.probeUrl(p.primaryRegion),
          primaryRegion: p.primaryRegion,
          ...(watchesSecondary
            ? { secondaryProbeUrl: names.probeUrl(p.secondaryRegion), secondaryRegion: p.secondaryRegion }
            : {}),
          controlUrl: p.controlUrl ?? names.healthUrl(p.secondaryRegion),
          metricRegion: p.secondaryRegion,
          metricNamespace: this.metricNamespace,
          probesPerRun: p.failover.probesPerRun,
          probeTimeoutMs: p.failover.probeTimeoutMs,
        }),
        statements,
      });
      const schedule = new CloudwatchEventRule(scope2, 'schedule', {
        provider: v.provider,
        name: names.detectorFunction(v.region),
        description: `Runs the detector of ${v.region} every minute`,
        scheduleExpression: 'rate(1 minute)',
      });
      new CloudwatchEventTarget(scope2, 'target', {
        provider: v.provider,
        rule: schedule.name,
        arn: fn.arn,
        targetId: 'detector',
      });
      new LambdaPermission(scope2, 'schedule-invoke', {
        provider: v.provider,
        statementId: 'AllowScheduleInvoke',
        action: 'lambda:InvokeFunction',
        functionName: fn.name,
        principal: 'events.amazonaws.com',
        sourceArn: schedule.arn,
      });
      // The next minute's run is the retry: no retries (Lambda's default is two, with events kept up to six
      // hours: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html),
      // a failed run goes to the dead-letter queue, and one not started within a minute (the shortest age
      // allowed) is dropped: its window has passed.
      new LambdaFunctionEventInvokeConfig(scope2, 'async', {
        provider: v.provider,
        functionName: fn.name,
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: 60,
        destinationConfig: { onFailure: { destination: deadLetters.arn } },
      });
      const blindAlarm = alarm(
        scope2,
        'blind',
        names.detectorBlindAlarm(v.region),
        `Too few verdicts from the detector in ${v.region}: failure detection is blind there (runs failing or not running, or every probe inconclusive)`,
        DETECTOR_BLIND_ALARM,
        {
          namespace: this.metricNamespace,
          metricName: DETECTION_METRICS.primaryFailed,
          dimensions: { [DETECTION_METRICS.dimension]: v.region },
          statistic: DETECTOR_BLIND_ALARM.statistic,
          period: DETECTOR_BLIND_ALARM.periodSeconds,
        },
      );
      return { region: v.region, fn, schedule, deadLetters, blindAlarm };
    });

    const primarySpec = primaryFailedAlarm(p.failover.detectionMinutes);
    const vantages = p.vantages.map((v) => v.region);
    this.primaryFailedAlarmName = names.primaryFailedAlarm;
    this.primaryFailedAlarm = alarm(
      this,
      'primary-failed',
      this.primaryFailedAlarmName,
      `Both vantage points (${vantages.join(', ')}) saw every probe of ${p.primaryRegion} fail for ${p.failover.detectionMinutes} minutes`,
      primarySpec,
      {
        metricQuery: [
          ...vantages.map((v) => ({
            id: vantageQueryId(v),
            returnData: false,
            metric: {
              namespace: this.metricNamespace,
              metricName: DETECTION_METRICS.primaryFailed,
              dimensions: { [DETECTION_METRICS.dimension]: v },
              period: primarySpec.periodSeconds,
              stat: primarySpec.statistic,
            },
          })),
          {
            id: 'agreement',
            label: 'Both vantage points saw the primary failed',
            expression: primaryFailedExpression(vantages),
            returnData: true,
          },
        ],
      },
    );
    this.secondaryUnhealthyAlarmName = names.secondaryUnhealthyAlarm;
    this.secondaryUnhealthyAlarm = alarm(
      this,
      'secondary-unhealthy',
      this.secondaryUnhealthyAlarmName,
      `${p.secondaryRegion} has not been seen healthy by its detector lately: no automatic failover to it`,
      SECONDARY_UNHEALTHY_ALARM,
      {
        namespace: this.metricNamespace,
        metricName: DETECTION_METRICS.secondaryHealthy,
        dimensions: { [DETECTION_METRICS.dimension]: p.secondaryRegion },
        statistic: SECONDARY_UNHEALTHY_ALARM.statistic,
        period: SECONDARY_UNHEALTHY_ALARM.periodSeconds,
      },
    );
  }

  get primaryFailedAlarmArn(): string {
    return this.primaryFailedAlarm.arn;
  }

  get secondaryUnhealthyAlarmArn(): string {
    return this.secondaryUnhealthyAlarm.arn;
  }
}
