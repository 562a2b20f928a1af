import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { snsSubject, snsTopicRegion } from '../shared/sns';

/**
 * Relays alert notifications from the primary region's topic to the secondary region's topic.
 *
 * CloudWatch alarms can only notify topics in their own region, and the primary region's own alarms (its API,
 * Lambda and Aurora) live only there. Operators and paging integrations subscribed to the
 * secondary region's topic, the one that stays up when the primary region fails, therefore receive them only
 * through this relay, which runs in the secondary region and is subscribed to the primary's topic.
 */
export interface RelayDeps {
  sns: SNSClient;
  /** The secondary region's alert topic. */
  targetTopicArn: string;
}

/** Marks a relayed message, so that a relayed copy is never relayed again (see relayAlerts). */
export const RELAYED_FROM_ATTRIBUTE = 'relayedFrom';

/** The relayed subject names the region it came from, within SNS's subject limits (snsSubject). */
export function relaySubject(subject: string | null | undefined, sourceRegion: string): string {
  return snsSubject(`[via ${sourceRegion}] ${subject ?? 'alert'}`);
}

/** The region of an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>). */
export function topicRegion(topicArn: string): string {
  const region = snsTopicRegion(topicArn);
  if (!region) throw new Error(`not an SNS topic ARN: ${topicArn}`);
  return region;
}

/**
 * Publishes every record of the event to the target topic, keeping the message body as it is (alarm JSON).
 * Throws when any publish fails so that Lambda retries the event and, after its retries, sends it to the
 * dead-letter queue: an alert is never dropped silently. A record already relayed is skipped.
 */
export async function relayAlerts(event: SNSEvent, deps: RelayDeps): Promise<{ relayed: number }> {
  let relayed = 0;
  for (const record of event.Records) {
    const sns = record.Sns;
    if (sns.MessageAttributes?.[RELAYED_FROM_ATTRIBUTE]) continue;
    const sourceRegion = topicRegion(sns.TopicArn);
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.targetTopicArn,
        Subject: relaySubject(sns.Subject, sourceRegion),
        Message: sns.Message,
        MessageAttributes: {
          [RELAYED_FROM_ATTRIBUTE]: { DataType: 'String', StringValue: sourceRegion },
          originalMessageId: { DataType: 'String', StringValue: sns.MessageId },
        },
      }),
    );
    relayed++;
  }
  return { relayed };
}
