import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface GlobalTableProps {
  provider: AwsProvider;
  name: string;
  /** CMK of the table's home (primary) region. */
  kmsKeyArn: string;
  replica: { region: string; kmsKeyArn: string };
  /** Attribute holding the expiry time (epoch seconds). */
  ttlAttribute: string;
}

/**
 * A DynamoDB global table (version 2019.11.21): on-demand, partition key `pk`, TTL, streams (required for
 * replication), a CMK in each region, point-in-time recovery on every replica, destroyable.
 */
export class GlobalTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, p: GlobalTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, 'table', {
      provider: p.provider,
      name: p.name,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      attribute: [{ name: 'pk', type: 'S' }],
      ttl: { attributeName: p.ttlAttribute, enabled: true },
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      serverSideEncryption: { enabled: true, kmsKeyArn: p.kmsKeyArn },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: false,
      replica: [
        {
          regionName: p.replica.region,
          kmsKeyArn: p.replica.kmsKeyArn,
          pointInTimeRecovery: true,
          propagateTags: true,
        },
      ],
    });
  }
}
