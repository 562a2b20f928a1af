import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { Construct } from 'constructs';
import { renderAlertRelayEnv } from '../../runtime/alert-relay/env';
import type { LambdaBundle } from '../bundling/functions';
import { allow } from '../grants';
import { keyUseThrough } from '../iam';
import { deadLetterQueue } from './dead-letter-queue';
import { DrFunction } from './lambda-function';

export interface AlertRelayProps {
  provider: AwsProvider;
  /** Deterministic names (the subscription in the interconnect stack finds the function by its name). */
  functionName: string;
  deadLetterQueueName: string;
  region: string;
  accountId: string;
  bundle: LambdaBundle;
  dataKeyArn: string;
  opsKeyArn: string;
  logRetentionDays: number;
  /** The alert topic of this (secondary) region, which receives the relayed alerts. */
  targetTopicArn: string;
  /** The primary region's alert topic, the only one allowed to invoke the relay. */
  sourceTopicArn: string;
}

/**
 * The secondary region's copy of the primary region's alerts: a function subscribed (from the interconnect
 * stack) to the primary's alert topic that republishes every alert to this region's topic. Alarms that can
 * only live in the primary region (its API, Lambda and Aurora alarms) thereby reach operators
 * subscribed only to the topic of the region that survives a primary outage. Runs outside the VPC (it only
 * calls SNS); failed deliveries land in an encrypted dead-letter queue after Lambda's retries.
 */
export class AlertRelay extends Construct {
  readonly fn: DrFunction;
  readonly deadLetters: SqsQueue;

  constructor(scope: Construct, id: string, p: AlertRelayProps) {
    super(scope, id);
    const { provider, region } = p;
    this.deadLetters = deadLetterQueue(this, {
      provider,
      name: p.deadLetterQueueName,
      kmsKeyArn: p.opsKeyArn,
    });
    this.fn = new DrFunction(this, 'relay', {
      provider,
      functionName: p.functionName,
      description: 'Relays the primary region alerts to the alert topic of this region',
      bundle: p.bundle,
      dataKeyArn: p.dataKeyArn,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      accountId: p.accountId,
      region,
      memoryMb: 256,
      timeoutSeconds: 30,
      environment: renderAlertRelayEnv({ targetTopicArn: p.targetTopicArn }),
      statements: [
        allow('PublishRelayedAlerts', 'sns:Publish', p.targetTopicArn),
        allow('DeadLetters', 'sqs:SendMessage', this.deadLetters.arn),
        // The topic and the queue are encrypted with the ops key.
        keyUseThrough(
          'OpsKeyThroughSnsAndSqs',
          p.opsKeyArn,
          ['kms:GenerateDataKey*', 'kms:Decrypt'],
          ['sns', 'sqs'],
          region,
        ),
      ],
    });
    new LambdaPermission(this, 'sns-invoke', {
      provider,
      statementId: 'AllowPrimaryAlertTopic',
      action: 'lambda:InvokeFunction',
      functionName: this.fn.name,
      principal: 'sns.amazonaws.com',
      sourceArn: p.sourceTopicArn,
    });
    new LambdaFunctionEventInvokeConfig(this, 'async', {
      provider,
      functionName: this.fn.name,
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destination: this.deadLetters.arn } },
    });
  }
}
