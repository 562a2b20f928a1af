import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import type { Construct } from 'constructs';

/**
 * The dead-letter queue of an asynchronously invoked function: encrypted with the ops key (data keys reused for
 * 5 minutes), kept 14 days, SQS's longest retention, so a failed event can be inspected and replayed.
 */
export function deadLetterQueue(
  scope: Construct,
  p: { provider: AwsProvider; name: string; kmsKeyArn: string },
): SqsQueue {
  return new SqsQueue(scope, 'dlq', {
    provider: p.provider,
    name: p.name,
    kmsMasterKeyId: p.kmsKeyArn,
    kmsDataKeyReusePeriodSeconds: 300,
    messageRetentionSeconds: 14 * 24 * 3600,
  });
}
