import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { DynamodbTag } from '@cdktn/provider-aws/lib/dynamodb-tag';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { TerraformIterator } from 'cdktn';
import { Construct } from 'constructs';
import type { Region } from '../config';

/** The second region's replica of a global table. */
export interface ReplicaProps {
  region: Region;
  kmsKeyArn: string;
  /** Provider of the replica's region. */
  provider: AwsProvider;
  /** Tags of the replica: the default tags of the replica's region (see GlobalTable). */
  tags: Record<string, string>;
}

/**
 * Safety profile "production" of a table: deletion protection on the table and on its replica (AWS never
 * synchronizes it between replicas), and `prevent_destroy` where asked for.
 */
export interface TableProtection {
  deletionProtection: boolean;
  preventDestroy: boolean;
}

/** What every table of the project shares: on-demand, keyed by `pk` (S), a CMK, PITR, destroyable by default. */
export const tableBase = (p: {
  provider: AwsProvider;
  name: string;
  kmsKeyArn: string;
  protection?: TableProtection;
}) => ({
  provider: p.provider,
  name: p.name,
  billingMode: 'PAY_PER_REQUEST',
  hashKey: 'pk',
  attribute: [{ name: 'pk', type: 'S' }],
  serverSideEncryption: { enabled: true, kmsKeyArn: p.kmsKeyArn },
  pointInTimeRecovery: { enabled: true },
  deletionProtectionEnabled: p.protection?.deletionProtection === true,
});

/** The `lifecycle` of a protected table, on top of `extra` (the table's own lifecycle settings). */
export function tableLifecycle<T extends object>(protection: TableProtection | undefined, extra?: T) {
  if (protection?.preventDestroy) return { lifecycle: { ...extra, preventDestroy: true } };
  return extra ? { lifecycle: extra } : {};
}

/**
 * The replica's tags, in its own region (see GlobalTable): one tag resource per key (for_each keeps each tag's
 * address stable when others are added or removed).
 */
export function tagReplica(scope: Construct, table: DynamodbTable, replica: ReplicaProps): DynamodbTag {
  const tags = TerraformIterator.fromMap(replica.tags);
  return new DynamodbTag(scope, 'replica-tags', {
    provider: replica.provider,
    forEach: tags,
    resourceArn: table.replica.get(0).arn,
    key: tags.key,
    value: tags.value,
  });
}

export interface GlobalTableProps {
  provider: AwsProvider;
  name: string;
  /** CMK of the table's home (primary) region. */
  kmsKeyArn: string;
  replica: ReplicaProps;
  /** Attribute holding the expiry time (epoch seconds). */
  ttlAttribute: string;
  /** @default destroyable (test) */
  protection?: TableProtection;
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
    this.table = new DynamodbTable(this, 'table', {
      ...tableBase(p),
      ttl: { attributeName: p.ttlAttribute, enabled: true },
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      ...tableLifecycle(p.protection),
      replica: [
        {
          regionName: p.replica.region,
          kmsKeyArn: p.replica.kmsKeyArn,
          pointInTimeRecovery: true,
          propagateTags: false,
          // Explicit, like the table's: a replica with deletion protection would block `destroy` (test), which is
          // what production wants.
          deletionProtectionEnabled: p.protection?.deletionProtection === true,
        },
      ],
    });

    this.replicaTags = tagReplica(this, this.table, p.replica);
  }
}
