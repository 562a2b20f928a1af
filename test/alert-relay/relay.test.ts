import { CreateTopicCommand, DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  RELAYED_FROM_ATTRIBUTE,
  relayAlerts,
  relaySubject,
  topicRegion,
} from '../../runtime/alert-relay/relay';
import { type SnsSink, snsSink, TEST_CREDENTIALS, unique } from '../support/moto';

/** The relay against moto's SNS: a topic in us-east-2 with a loopback HTTP subscriber records deliveries. */
const PRIMARY_TOPIC = 'arn:aws:sns:us-east-1:123456789012:payment-processing-alerts-test-use1';
let sns: SNSClient;
let topicArn: string;
let sink: SnsSink;

function record(subject: string | null, message: string, relayed = false): SNSEventRecord {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: `${PRIMARY_TOPIC}:sub`,
    Sns: {
      Type: 'Notification',
      MessageId: unique('msg'),
      TopicArn: PRIMARY_TOPIC,
      Subject: subject ?? undefined,
      Message: message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: 'x',
      SigningCertUrl: 'https://example.invalid/cert',
      UnsubscribeUrl: 'https://example.invalid/unsubscribe',
      MessageAttributes: relayed ? { [RELAYED_FROM_ATTRIBUTE]: { Type: 'String', Value: 'us-east-2' } } : {},
    },
  } as SNSEventRecord;
}

beforeAll(async () => {
  sns = new SNSClient({ region: 'us-east-2', endpoint: inject('motoUrl'), credentials: TEST_CREDENTIALS });
  const created = await sns.send(new CreateTopicCommand({ Name: unique('relay-target') }));
  topicArn = created.TopicArn as string;
  sink = await snsSink(sns, topicArn);
});

afterAll(async () => {
  await sink?.close();
  await sns?.send(new DeleteTopicCommand({ TopicArn: topicArn })).catch(() => undefined);
  sns?.destroy();
});

describe('alert relay (primary topic -> secondary topic)', () => {
  it('republishes each alert unchanged, its subject naming the region it came from', async () => {
    const alarm = JSON.stringify({
      AlarmName: 'payment-processing-primary-health-check-test',
      NewStateValue: 'ALARM',
    });
    const event: SNSEvent = {
      Records: [record('ALARM: "primary health"', alarm), record(null, 'plain text')],
    };
    await expect(relayAlerts(event, { sns, targetTopicArn: topicArn })).resolves.toEqual({ relayed: 2 });
    expect(sink.messages()).toEqual([
      { subject: '[via us-east-1] ALARM: "primary health"', message: alarm },
      { subject: '[via us-east-1] alert', message: 'plain text' },
    ]);
  });

  it('never relays a relayed copy again (no loop)', async () => {
    const before = sink.messages().length;
    const result = await relayAlerts(
      { Records: [record('x', 'y', true)] },
      { sns, targetTopicArn: topicArn },
    );
    expect(result).toEqual({ relayed: 0 });
    expect(sink.messages()).toHaveLength(before);
  });

  it('fails (so Lambda retries, then dead-letters) when the target topic cannot be reached', async () => {
    const missing = topicArn.replace(/[^:]+$/, unique('no-such-topic'));
    await expect(
      relayAlerts({ Records: [record('x', 'y')] }, { sns, targetTopicArn: missing }),
    ).rejects.toThrow();
  });

  it('keeps subjects within SNS limits and reads the source region from the topic ARN', () => {
    const subject = relaySubject(`é${'x'.repeat(200)}\n`, 'us-east-1');
    expect(subject).toHaveLength(100);
    expect(subject).toMatch(/^\[via us-east-1\] \?x+\.\.\.$/);
    expect(topicRegion(PRIMARY_TOPIC)).toBe('us-east-1');
    expect(() => topicRegion('not-an-arn')).toThrow(/not an SNS topic ARN/);
  });
});
