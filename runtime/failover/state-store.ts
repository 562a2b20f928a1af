import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DecisionAction, type DecisionState, initialDecisionState } from './decision';
import type { OrchestrationResult } from './orchestrator';

/**
 * Items of the DR state table (`payment-processing-dr-state-<suffix>`, secondary region, key `pk`):
 * - `watchdog#state`: the watchdog's memory, updated with optimistic concurrency on `version`;
 * - `orchestrator#lock`: the promotion lease (lock.ts);
 * - `orchestrator#last-run`: the outcome of the last orchestration, for `drctl status`.
 */
export const WATCHDOG_STATE_KEY = 'watchdog#state';
export const LAST_RUN_KEY = 'orchestrator#last-run';

export interface ObservedProbe {
  ok: boolean;
  at: string;
  latencyMs: number;
  status?: number;
  reason?: string;
}

/** Something operators must hear about: a decision, or the automatic failover giving up. */
export type AlertAction =
  | Exclude<DecisionAction, { type: 'none' }>
  | { type: 'handover-failed'; attempts: number; outcome: string; message: string };

export interface PendingAlert {
  action: AlertAction;
  createdAt: string;
  attempts: number;
  lastError?: string;
  /** The run publishing it, and since when (epoch ms): a claim older than the claim timeout is taken over. */
  claimedBy?: string;
  claimedAt?: number;
}

export interface HandoverState {
  /** `pending`: automatic failover still to be carried out; `done`: the secondary writes; `failed`: gave up. */
  status: 'pending' | 'done' | 'failed';
  requestedAt: string;
  attempts: number;
  lastOutcome?: string;
  lastMessage?: string;
  updatedAt: string;
}

export interface WatchdogRecord {
  decision: DecisionState;
  lastProbe?: ObservedProbe;
  /** Writer region as last observed, or `unknown` when the topology could not be read. */
  lastWriterRegion?: string;
  /** Notifications decided but not yet published (retried by the next run). */
  pendingAlerts: PendingAlert[];
  handover?: HandoverState;
  updatedAt?: string;
}

export interface VersionedRecord {
  record: WatchdogRecord;
  /** 0 when the item does not exist yet. */
  version: number;
}

export const emptyRecord = (): WatchdogRecord => ({ decision: initialDecisionState(), pendingAlerts: [] });

export class StateStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async load(): Promise<VersionedRecord> {
    const { Item } = await this.ddb.send(
      new GetCommand({ TableName: this.table, Key: { pk: WATCHDOG_STATE_KEY }, ConsistentRead: true }),
    );
    if (!Item) return { record: emptyRecord(), version: 0 };
    const record = Item.record as Partial<WatchdogRecord> | undefined;
    return {
      record: {
        ...emptyRecord(),
        ...record,
        decision: { ...initialDecisionState(), ...record?.decision },
        pendingAlerts: record?.pendingAlerts ?? [],
      },
      version: Number(Item.version ?? 0),
    };
  }

  /** Writes `record` as version `expected + 1`; false when someone else wrote in between. */
  async save(record: WatchdogRecord, expected: number): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: WATCHDOG_STATE_KEY, version: expected + 1, record, updatedAt: record.updatedAt },
          ConditionExpression: expected === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
          ...(expected === 0 ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /**
   * Read-modify-write with optimistic concurrency: `mutate` is re-applied to a fresh copy after each
   * conflict. Returns the record as written.
   */
  async update(mutate: (record: WatchdogRecord) => WatchdogRecord, maxAttempts = 5): Promise<WatchdogRecord> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const { record, version } = await this.load();
      const next = mutate(record);
      if (await this.save(next, version)) return next;
    }
    throw new Error(
      `could not update ${WATCHDOG_STATE_KEY}: ${maxAttempts} concurrent-write conflicts in a row`,
    );
  }
}

/** Records the outcome of an orchestration in the state table (best effort, used by `drctl status`). */
export function lastRunRecorder(
  ddb: DynamoDBDocumentClient,
  table: string,
): (result: OrchestrationResult) => Promise<void> {
  return async (result) => {
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: LAST_RUN_KEY,
          action: result.action,
          outcome: result.outcome,
          message: result.message,
          requestedBy: result.requestedBy,
          targetCluster: result.target.clusterId,
          targetRegion: result.target.region,
          startedAt: result.startedAt,
          finishedAt: result.finishedAt,
          elapsedMs: result.elapsedMs,
          promotionCalls: result.promotionCalls,
          ...(result.promotionMs !== undefined ? { promotionMs: result.promotionMs } : {}),
        },
      }),
    );
  };
}
