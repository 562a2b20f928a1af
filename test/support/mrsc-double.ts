import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { applyUpdate, evaluateCondition, ExpressionError, type Item } from './ddb-expressions';

/**
 * A test double of a DynamoDB global table with multi-Region strong consistency (MRSC), because moto does not
 * model MRSC. It is as strict as AWS documents, never more forgiving
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html and
 * bp-global-table-design.html, quoted in /work/research/data-facts.md B1):
 *
 * - Exactly three participants: two replicas and one witness. "You cannot perform read or write operations on
 *   a witness."
 * - Quorum: a write or a strongly consistent read in region R succeeds only while R reaches a second
 *   participant (replica or witness): "If a second Region isn't available, the local Region can service only
 *   eventually consistent reads." Without quorum the call fails (AWS does not name the error code: this
 *   double throws InternalServerError, and the code under test must treat any error as "no quorum").
 * - Linearizable items: each write is applied to the latest committed version (conditions are evaluated
 *   against it) and "synchronously replicated to at least one other Region before the write operation returns".
 *   A replica that was cut off misses writes and, once the cut heals, errors on writes and strongly consistent
 *   reads "until it's caught up" (`catchUp`).
 * - Eventually consistent reads return the local replica's copy, which may be stale.
 * - Concurrent writes of one item from two regions: the later one fails with ReplicatedWriteConflictException
 *   ("A write operation fails with a ReplicatedWriteConflictException when it attempts to modify an item that
 *   is already being modified in another Region"). Writes from one region to one item are serialized.
 * - No transactions ("do not support transaction operations, and will return an error"), no TTL, no
 *   ReturnValuesOnConditionCheckFailure (not documented for MRSC: the double refuses rather than guesses).
 *
 * Every call crosses one simulated region hop (an `await` of `hop()`), so concurrent calls really interleave.
 */
export interface MrscRegions {
  replicas: [string, string];
  witness: string;
}

export const US_MRSC: MrscRegions = { replicas: ['us-east-1', 'us-east-2'], witness: 'us-west-2' };

function awsError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

interface Versioned {
  version: number;
  item: Item | undefined;
}

interface SendOptions {
  abortSignal?: AbortSignal;
}

export class MrscDouble {
  readonly tables: Set<string>;
  /** The latest committed version of each item, by table and key. */
  private committed = new Map<string, Versioned>();
  /** What each replica has applied (its eventually consistent view). */
  private applied = new Map<string, Map<string, Versioned>>();
  private cut = new Set<string>();
  private catchingUp = new Set<string>();
  private hung = new Set<string>();
  private writing = new Map<string, { region: string; count: number }>();
  private queues = new Map<string, Promise<void>>();
  /** ReplicatedWriteConflictExceptions thrown so far. */
  conflicts = 0;
  /** Every committed write, in commit order (for assertions). */
  readonly log: Array<{ table: string; key: string; region: string; version: number; op: string }> = [];

  constructor(
    tables: string[],
    readonly regions: MrscRegions = US_MRSC,
    private readonly hop: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
  ) {
    this.tables = new Set(tables);
    for (const r of regions.replicas) this.applied.set(r, new Map());
  }

  private participants(): string[] {
    return [...this.regions.replicas, this.regions.witness];
  }

  private link(a: string, b: string): string {
    return [a, b].sort().join('|');
  }

  reachable(a: string, b: string): boolean {
    return a === b || !this.cut.has(this.link(a, b));
  }

  /** Cuts `region` off from both other participants (an isolated region). */
  isolate(region: string): void {
    for (const other of this.participants()) if (other !== region) this.cut.add(this.link(region, other));
  }

  /** Cuts the link between two participants only. */
  partition(a: string, b: string): void {
    this.cut.add(this.link(a, b));
  }

  /** Restores every link; replicas that missed writes must `catchUp` before they serve strong calls again. */
  heal(): void {
    this.cut.clear();
    for (const r of this.regions.replicas) if (this.isBehind(r)) this.catchingUp.add(r);
  }

  /** The replica applies every write it missed and serves again. */
  catchUp(region: string): void {
    const view = this.applied.get(region);
    if (!view) throw new Error(`${region} is not a replica`);
    for (const [k, v] of this.committed) view.set(k, structuredClone(v));
    this.catchingUp.delete(region);
  }

  private faults: Array<{ region: string; kind: 'read' | 'write'; mode: 'hang' | 'error'; left: number }> =
    [];

  /**
   * The next `times` reads or writes from `region` fail (InternalServerError) or never answer until aborted:
   * a brownout of one kind of call.
   */
  inject(region: string, kind: 'read' | 'write', mode: 'hang' | 'error', times = 1): void {
    this.faults.push({ region, kind, mode, left: times });
  }

  private async fault(region: string, kind: 'read' | 'write', signal?: AbortSignal): Promise<void> {
    const f = this.faults.find((x) => x.region === region && x.kind === kind && x.left > 0);
    if (!f) return;
    f.left--;
    if (f.mode === 'error')
      throw awsError('InternalServerError', `injected ${kind} failure in ${region}`, 500);
    await new Promise<never>((_, reject) => {
      if (!signal) return;
      signal.addEventListener('abort', () => reject(awsError('AbortError', 'Request aborted', 0)), {
        once: true,
      });
    });
  }

  /** Calls from `region` never answer until aborted (a gray failure). */
  hang(region: string, on = true): void {
    if (on) this.hung.add(region);
    else this.hung.delete(region);
  }

  private isBehind(region: string): boolean {
    const view = this.applied.get(region) as Map<string, Versioned>;
    for (const [k, v] of this.committed) if ((view.get(k)?.version ?? 0) !== v.version) return true;
    return false;
  }

  private hasQuorum(region: string): boolean {
    return this.participants().some((p) => p !== region && this.reachable(region, p));
  }

  private async travel(region: string, signal?: AbortSignal): Promise<void> {
    const aborted = () => awsError('AbortError', 'Request aborted', 0);
    if (signal?.aborted) throw aborted();
    if (this.hung.has(region)) {
      await new Promise<never>((_, reject) => {
        if (!signal) return; // never settles: the caller must bound its calls
        signal.addEventListener('abort', () => reject(aborted()), { once: true });
      });
    }
    await this.hop();
    if (signal?.aborted) throw aborted();
  }

  private requireStrong(region: string): void {
    if (region === this.regions.witness)
      throw awsError('ValidationException', 'a witness serves no reads or writes', 400);
    if (!this.regions.replicas.includes(region)) throw new Error(`${region} has no replica`);
    if (this.catchingUp.has(region))
      throw awsError('InternalServerError', `${region} is catching up after an outage`, 500);
    if (!this.hasQuorum(region))
      throw awsError(
        'InternalServerError',
        `${region} cannot reach a quorum (code not documented by AWS)`,
        500,
      );
  }

  private keyOf(table: string, key: Item): string {
    if (!this.tables.has(table)) throw awsError('ResourceNotFoundException', `no table ${table}`, 400);
    const names = Object.keys(key);
    if (names.length !== 1 || names[0] !== 'pk' || typeof key.pk !== 'string')
      throw awsError('ValidationException', 'the key must be {pk: string}', 400);
    return `${table}\u0000${key.pk}`;
  }

  /** The item as the latest committed version has it (for assertions; not a client call). */
  latest(table: string, pk: string): Item | undefined {
    const v = this.committed.get(this.keyOf(table, { pk }));
    return v?.item ? structuredClone(v.item) : undefined;
  }

  /** Every live item of a table, latest versions (for assertions). */
  items(table: string): Item[] {
    return [...this.committed.entries()]
      .filter(([k, v]) => k.startsWith(`${table}\u0000`) && v.item)
      .map(([, v]) => structuredClone(v.item as Item));
  }

  private async write(
    region: string,
    table: string,
    key: Item,
    op: string,
    signal: AbortSignal | undefined,
    mutate: (current: Item | undefined) => Item | undefined,
  ): Promise<void> {
    const k = this.keyOf(table, key);
    // In flight from the moment it arrives: a write of the same item arriving from another region meanwhile
    // fails; writes from one region queue behind each other.
    const other = this.writing.get(k);
    if (other !== undefined && other.region !== region) {
      this.conflicts++;
      throw awsError(
        'ReplicatedWriteConflictException',
        'The request was rejected because one or more items in the request are being modified by a request in another Region.',
        400,
      );
    }
    this.writing.set(k, { region, count: (other?.count ?? 0) + 1 });
    const previous = this.queues.get(k) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    this.queues.set(
      k,
      previous.then(() => mine),
    );
    try {
      await previous;
      this.requireStrong(region);
      await this.fault(region, 'write', signal);
      await this.travel(region, signal);
      // Evaluated and committed in one step, against the latest committed version.
      this.requireStrong(region);
      const current = this.committed.get(k);
      const next: Versioned = { version: (current?.version ?? 0) + 1, item: mutate(current?.item) };
      this.committed.set(k, next);
      this.log.push({ table, key: String(key.pk), region, version: next.version, op });
      for (const replica of this.regions.replicas)
        if (this.reachable(region, replica)) this.applied.get(replica)?.set(k, structuredClone(next));
    } finally {
      const w = this.writing.get(k);
      if (w && w.count > 1) this.writing.set(k, { region, count: w.count - 1 });
      else this.writing.delete(k);
      release();
    }
  }

  private checked(
    input: { ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string> } & {
      ExpressionAttributeValues?: Record<string, unknown>;
      ReturnValuesOnConditionCheckFailure?: string;
    },
    current: Item | undefined,
  ): void {
    if (input.ReturnValuesOnConditionCheckFailure)
      throw awsError('ValidationException', 'ReturnValuesOnConditionCheckFailure is not modelled', 400);
    if (!input.ConditionExpression) return;
    const ctx = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    if (!evaluateCondition(input.ConditionExpression, current, ctx))
      throw awsError('ConditionalCheckFailedException', 'The conditional request failed', 400);
  }

  private async handle(region: string, command: unknown, signal?: AbortSignal): Promise<unknown> {
    if (command instanceof GetCommand) {
      const { TableName, Key, ConsistentRead } = command.input;
      const k = this.keyOf(String(TableName), Key as Item);
      if (ConsistentRead) this.requireStrong(region);
      else if (region === this.regions.witness)
        throw awsError('ValidationException', 'a witness serves no reads', 400);
      await this.fault(region, 'read', signal);
      await this.travel(region, signal);
      if (ConsistentRead) this.requireStrong(region);
      const v = ConsistentRead ? this.committed.get(k) : this.applied.get(region)?.get(k);
      return v?.item ? { Item: structuredClone(v.item) } : {};
    }
    if (command instanceof PutCommand) {
      const input = command.input;
      const item = input.Item as Item;
      await this.write(region, String(input.TableName), { pk: item.pk }, 'put', signal, (current) => {
        this.checked(input, current);
        return structuredClone(item);
      });
      return {};
    }
    if (command instanceof UpdateCommand) {
      const input = command.input;
      const key = input.Key as Item;
      if (!input.UpdateExpression) throw awsError('ValidationException', 'UpdateExpression required', 400);
      await this.write(region, String(input.TableName), key, 'update', signal, (current) => {
        this.checked(input, current);
        const ctx = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
        return applyUpdate(input.UpdateExpression as string, current, key, ctx);
      });
      return {};
    }
    if (command instanceof DeleteCommand) {
      const input = command.input;
      await this.write(region, String(input.TableName), input.Key as Item, 'delete', signal, (current) => {
        this.checked(input, current);
        return undefined;
      });
      return {};
    }
    if (command instanceof ScanCommand) {
      const { TableName, ConsistentRead } = command.input;
      if (ConsistentRead) this.requireStrong(region);
      await this.travel(region, signal);
      const view = ConsistentRead ? this.committed : (this.applied.get(region) ?? new Map());
      const items = [...view.entries()]
        .filter(([k, v]) => k.startsWith(`${String(TableName)}\u0000`) && v.item)
        .map(([, v]) => structuredClone(v.item as Item));
      return { Items: items, Count: items.length };
    }
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? 'unknown';
    if (/Transact/.test(name))
      throw awsError('ValidationException', 'MRSC global tables do not support transaction operations', 400);
    throw awsError('ValidationException', `${name} is not modelled by the MRSC double`, 400);
  }

  /**
   * A document client of one region. Calls naming another table go to `fallback` (e.g. moto for the sessions
   * table); without one they fail.
   */
  client(region: string, fallback?: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const send = async (command: unknown, options?: SendOptions): Promise<unknown> => {
      const table = (command as { input?: { TableName?: string } }).input?.TableName;
      if (table !== undefined && !this.tables.has(table) && fallback)
        return (fallback.send as (c: unknown, o?: SendOptions) => Promise<unknown>)(command, options);
      try {
        return await this.handle(region, command, options?.abortSignal);
      } catch (err) {
        if (err instanceof ExpressionError) throw awsError('ValidationException', err.message, 400);
        throw err;
      }
    };
    return { send, destroy: () => undefined } as unknown as DynamoDBDocumentClient;
  }
}
