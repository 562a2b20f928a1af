import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { DynamodbTableItem } from '@cdktn/provider-aws/lib/dynamodb-table-item';
import { DynamodbTag } from '@cdktn/provider-aws/lib/dynamodb-tag';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Fn } from 'cdktn';
import { Construct } from 'constructs';
import { FENCE_KEY } from '../../runtime/shared/fence';
import type { Region } from '../config';
import {
  type ReplicaProps,
  type TableProtection,
  tableBase,
  tableLifecycle,
  tagReplica,
} from './global-tables';

export interface PaymentControlTableProps {
  /** Provider of the home (primary) region. */
  provider: AwsProvider;
  name: string;
  /** The region the write fence names at the first deployment. */
  initialActiveRegion: Region;
  /** CMK of the home region. */
  kmsKeyArn: string;
  replica: ReplicaProps;
  /** The third Region of the MRSC Region set: a witness stores no readable data and takes no key. */
  witnessRegion: Region;
  /** @default destroyable (test) */
  protection?: TableProtection;
}

/**
 * The payment control table: idempotency-key reservations and the active-region write fence
 * (runtime/payment-api/reservations.ts, runtime/shared/fence.ts), one DynamoDB global table with
 * multi-Region strong consistency (MRSC): replicas in the primary and secondary regions, a witness in the
 * third Region of their Region set.
 *
 * One table for both: the fence and the reservations need the same guarantees (quorum writes, strongly
 * consistent reads, RPO 0), the same readers and the same key, and a second MRSC table would double the
 * cross-Region set-up for nothing; their keys (`fence#...`, `rsv#...`) never collide.
 *
 * AWS facts it is built on (V2globaltables_HowItWorks.html and bp-global-table-design.html, quoted in the
 * research notes; provider docs for aws_dynamodb_table 6.66.0):
 * - "A MRSC global table must be deployed in exactly three Regions ... with two replicas and one witness", and
 *   "MRSC global tables cannot span Region sets" (config validation enforces one set).
 * - The mode is fixed at creation ("You cannot change a global table's consistency mode after creation"), a
 *   table converted to MRSC must be empty, replicas can be neither added nor removed later: this is a new
 *   table, created MRSC from its first apply; the eventually consistent idempotency table it replaces is
 *   dropped, not converted.
 * - No TTL ("Time to Live (TTL) is not supported for MRSC global tables"), no LSIs, no transactions; streams are
 *   optional and not used (hashicorp/terraform-provider-aws#48213: stream_enabled does not reach MRSC replicas).
 * - `global_table_witness` "must be used alongside a single `replica` with `consistency_mode` set to
 *   `STRONG`"; inline `replica` blocks, since aws_dynamodb_table_replica has no consistency_mode (#48672).
 * - Encryption is set at creation (#49651: adding a CMK to an existing global table fails); each replica uses
 *   its region's replica of the multi-Region data key. The witness takes no key (the API and the provider have
 *   no argument for one). That MRSC works with customer-managed keys is implied by the provider's acceptance
 *   test TestAccDynamoDBTable_Replica_MRSC_witness_doubleAddCMK, not stated by AWS: unverified by AWS text.
 * - PITR and deletion protection are "never synchronized": set on the table and on the replica. Deletion
 *   protection is off in the test safety profile (destroyable) and on, for the table and the replica, in
 *   production (with `prevent_destroy`: the fence and the reservations cannot be re-created without losing them).
 */
export class PaymentControlTable extends Construct {
  readonly table: DynamodbTable;
  readonly replicaTags: DynamodbTag;
  readonly initialFence: DynamodbTableItem;

  constructor(scope: Construct, id: string, p: PaymentControlTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, 'table', {
      ...tableBase(p),
      replica: [
        {
          regionName: p.replica.region,
          consistencyMode: 'STRONG',
          kmsKeyArn: p.replica.kmsKeyArn,
          pointInTimeRecovery: true,
          propagateTags: false,
          deletionProtectionEnabled: p.protection?.deletionProtection === true,
        },
      ],
      globalTableWitness: { regionName: p.witnessRegion },
      ...tableLifecycle(p.protection),
    });

    this.replicaTags = tagReplica(this, this.table, p.replica);

    // The first fence: the primary region is active at epoch 1. The provider creates a table item with
    // "attribute_not_exists" on its key (it never overwrites an item it did not create), and ignore_changes
    // keeps Terraform from ever rewriting it: after the first apply only the failover plan and drctl move the
    // fence (activateRegion), and a later apply never moves it back.
    this.initialFence = new DynamodbTableItem(this, 'initial-fence', {
      provider: p.provider,
      tableName: this.table.name,
      hashKey: 'pk',
      item: Fn.jsonencode({
        pk: { S: FENCE_KEY },
        activeRegion: { S: p.initialActiveRegion },
        epoch: { N: '1' },
        updatedAt: { S: Fn.timestamp() },
        updatedBy: { S: 'terraform (first deployment)' },
        reason: { S: 'initial active region' },
      }),
      lifecycle: { ignoreChanges: ['item'] },
    });
  }
}
