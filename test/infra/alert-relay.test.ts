import { describe, expect, it } from 'vitest';
import { only, parsePolicy, regionOf, synthAll } from '../support/synth';

/** Alerts of alarms that can only live in the primary region also reach the secondary region's topic. */
const s = synthAll();
const ACCOUNT = '${data.aws_caller_identity.caller-identity.account_id}';

describe('alert relay', () => {
  const relay = only(s.secondary, 'aws_lambda_function', (f) =>
    String(f.function_name).includes('alert-relay'),
  );
  const primaryTopic = only(s.primary, 'aws_sns_topic');
  const secondaryTopic = only(s.secondary, 'aws_sns_topic');

  it('runs in the secondary region, outside the VPC, publishing to that region topic', () => {
    expect(regionOf(s.secondary, relay)).toBe('us-east-2');
    expect(relay).toMatchObject({
      function_name: 'payment-processing-alert-relay-test',
      runtime: 'nodejs24.x',
    });
    expect(relay.vpc_config).toBeUndefined();
    const env = (relay.environment as { variables: Record<string, string> }).variables;
    expect(env.TARGET_TOPIC_ARN).toMatch(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/);
    const role = only(s.secondary, 'aws_iam_role_policy', (p) => String(p.role).includes('alert-relay'));
    const bySid = Object.fromEntries(parsePolicy(role.policy).Statement.map((x) => [x.Sid, x]));
    expect(bySid.PublishRelayedAlerts).toMatchObject({
      Action: 'sns:Publish',
      Resource: env.TARGET_TOPIC_ARN,
    });
    expect(bySid.OpsKeyThroughSnsAndSqs.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['sns.us-east-2.amazonaws.com', 'sqs.us-east-2.amazonaws.com'] },
    });
  });

  it('may be invoked only by the primary region alert topic, found by its deterministic name', () => {
    const permission = only(s.secondary, 'aws_lambda_permission', (p) => p.principal === 'sns.amazonaws.com');
    expect(permission.source_arn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:${String(primaryTopic.name)}`);
  });

  it('is subscribed (from the interconnect stack, in us-east-1) to the primary topic, with no filter', () => {
    const sub = only(s.interconnect, 'aws_sns_topic_subscription');
    expect(regionOf(s.interconnect, sub)).toBe('us-east-1');
    expect(sub).toMatchObject({
      protocol: 'lambda',
      topic_arn: `arn:aws:sns:us-east-1:${ACCOUNT}:${String(primaryTopic.name)}`,
      endpoint: `arn:aws:lambda:us-east-2:${ACCOUNT}:function:${String(relay.function_name)}`,
    });
    // A filter on message attributes would drop alarm notifications, which carry none.
    expect(sub.filter_policy).toBeUndefined();
    expect(String(secondaryTopic.name)).toMatch(/-use2$/);
  });

  it('dead-letters what it could not deliver after Lambda retries', () => {
    const config = only(s.secondary, 'aws_lambda_function_event_invoke_config', (c) =>
      String(c.function_name).includes('alert-relay'),
    );
    expect(config.maximum_retry_attempts).toBe(2);
    expect(JSON.stringify(config.destination_config)).toMatch(/aws_sqs_queue\.alert-relay_dlq/);
  });
});
