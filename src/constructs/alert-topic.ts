import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SnsTopic } from '@cdktn/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktn/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktn/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { arn } from '../grants';
import { policy } from '../iam';

export interface AlertTopicProps {
  provider: AwsProvider;
  name: string;
  kmsKeyArn: string;
  accountId: string;
  region: string;
  emails: string[];
}

/**
 * The alert topic of one region, encrypted with the ops CMK. The same e-mail endpoints subscribe to the topic
 * of each region, so an alert raised in the surviving region reaches operators whichever region is down.
 * Only CloudWatch alarms of this account and principals of this account may publish.
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, p: AlertTopicProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', {
      provider: p.provider,
      name: p.name,
      displayName: 'Payments DR alerts',
      kmsMasterKeyId: p.kmsKeyArn,
    });
    new SnsTopicPolicy(this, 'policy', {
      provider: p.provider,
      arn: this.topic.arn,
      policy: policy(
        {
          Sid: 'CloudWatchAlarmsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: {
            StringEquals: { 'aws:SourceAccount': p.accountId },
            ArnLike: { 'aws:SourceArn': arn.cloudwatchAlarms(p.region, p.accountId, '*') },
          },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ),
    });
    p.emails.forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, {
        provider: p.provider,
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: email,
      });
    });
  }

  get arn(): string {
    return this.topic.arn;
  }
}
