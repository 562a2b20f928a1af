import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { DynamodbTag } from '@cdktn/provider-aws/lib/dynamodb-tag';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformIterator } from 'cdktn';
import { Construct } from 'constructs';
import type { Region } from '../config';

export interface GlobalTableProps {
  provider: AwsProvider;
  name: string;
  /** CMK of the table's home (primary) region. */
  kmsKeyArn: string;
  replica: {
    region: Region;
    kmsKeyArn: string;
    /** Provider of the replica's region. */
    provider: AwsProvider;
    /** Tags of the replica: the default tags of the replica's region (see below). */
    tags: Record<string, string>;
  };
  /** Attribute holding the expiry time (epoch seconds). */
  ttlAttribute: string;
}

/**
 * A DynamoDB global table (version 2019.11.21): on-demand, partition key `pk`, TTL, streams (required for
 * replication), a CMK in each region, point-in-time recovery on every replica, destroyable.
 *
 * Replica tags: `propagate_tags` would copy the table's tags, i.e. the primary provider's default tags with
 * `Region = <primary>`, onto the replica in the other region. It is off; instead the replica gets the tags the
 * replica region's provider puts on everything else there (`Region = <replica>`), through `aws_dynamodb_tag`
 * in the replica's region: the table resource cannot tag a replica itself (the `replica` block has no `tags`),
 * and `aws_dynamodb_tag` is the provider's resource for replicas in other regions. Tag drift on the replica is
 * corrected by that resource, not by the table.
 */
export class GlobalTable extends Construct {
  readonly table: DynamodbTable;
  readonly replicaTags: DynamodbTag;

  constructor(scope: Construct, id: string, p: GlobalTableProps) {
    super(scope, id);
    const replica = p.replica;
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
          propagateTags: false,
          // Explicit, like the table's: a replica with deletion protection would block `destroy`.
          deletionProtectionEnabled: false,
        },
      ],
    });

    // One tag resource per key (for_each keeps each tag's address stable when others are added or removed).
    const tags = TerraformIterator.fromMap(replica.tags);
    this.replicaTags = new DynamodbTag(this, 'replica-tags', {
      provider: replica.provider,
      forEach: tags,
      resourceArn: this.table.replica.get(0).arn,
      key: tags.key,
      value: tags.value,
    });
  }
}
