import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface EncryptedLogGroupProps {
  provider: AwsProvider;
  name: string;
  kmsKeyArn: string;
  retentionInDays: number;
}

/** A CloudWatch log group encrypted with a customer-managed key and with a bounded retention. */
export class EncryptedLogGroup extends Construct {
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, 'group', {
      provider: props.provider,
      name: props.name,
      kmsKeyId: props.kmsKeyArn,
      retentionInDays: props.retentionInDays,
      skipDestroy: false,
    });
  }

  get arn(): string {
    return this.logGroup.arn;
  }

  get name(): string {
    return this.logGroup.name;
  }
}
