import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { snsSubject } from '../shared/sns';
import { errorFields, type OpenLogger } from '../shared/logger';

/**
 * Operator notifications through the alert topic of the surviving (secondary) region.
 *
 * Every message is a JSON document (readable in an e-mail, parseable by a chat or paging integration) that
 * carries an ISO-8601 timestamp; orchestration steps also carry the elapsed milliseconds since the start.
 */
export interface Notification {
  /** Short kind such as `failover.started`, `watchdog.declare-failed`. */
  event: string;
  /** One human-readable sentence. */
  summary: string;
  /** Environment suffix, or the global cluster id when unknown. */
  environment: string;
  at: string;
  elapsedMs?: number;
  details?: Record<string, unknown>;
}

export interface Notifier {
  /** Throws when the message could not be published (callers decide whether that matters). */
  publish(notification: Notification): Promise<void>;
}

export function snsNotifier(sns: SNSClient, topicArn: string): Notifier {
  return {
    async publish(n) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: snsSubject(`[payments-dr ${n.environment}] ${n.summary}`),
          Message: JSON.stringify(n, null, 2),
          MessageAttributes: { event: { DataType: 'String', StringValue: n.event } },
        }),
      );
    },
  };
}

/**
 * A notifier whose failures are logged and swallowed: a promotion must never stop because the alert topic
 * (or its KMS key) is unavailable.
 */
export function bestEffort(notifier: Notifier, log: OpenLogger): Notifier {
  return {
    async publish(n) {
      try {
        await notifier.publish(n);
      } catch (err) {
        log.error('notification could not be published', { event: n.event, ...errorFields(err) });
      }
    },
  };
}
