import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBucket } from '../../runtime/local/provision';
import {
  DEFAULT_RECONCILE,
  isScheduledEvent,
  reconcileIncompletePayments,
} from '../../runtime/payment-api/reconcile';
import { createLogger } from '../../runtime/shared/logger';
import { createWritabilityProbe } from '../../runtime/shared/writability';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { countIncomplete, createPaymentHarness, type PaymentHarness } from './support/harness';
import { reservationKey } from '../../runtime/payment-api/reservations';

/**
 * A committed payment whose side effects failed, and whose client never retries: the scheduled reconcile
 * run of the payment function completes it. The receipt bucket is missing at first, so the POST fails after
 * the ledger commit (503 PAYMENT_INCOMPLETE).
 */
let h: PaymentHarness;
const logs: string[] = [];
const log = createLogger({ service: 'payment-api', component: 'reconcile' }, (l) => logs.push(l));

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'), { createBucket: false });
});

afterAll(async () => {
  await h?.close();
});

type ReconcileDeps = Parameters<typeof reconcileIncompletePayments>[0];
/** The reconcile dependencies of a harness (the first one unless given). */
const depsOf = (harness: PaymentHarness, overrides: Partial<ReconcileDeps> = {}): ReconcileDeps => ({
  db: harness.tdb.db,
  writability: createWritabilityProbe(harness.tdb.db),
  fence: harness.deps.fence as ReconcileDeps['fence'],
  targets: harness.deps.targets,
  region: harness.region,
  now: () => new Date(),
  ...overrides,
});
const deps = (overrides: Partial<ReconcileDeps> = {}) => depsOf(h, overrides);

const pending = () => countIncomplete(h.tdb.db);

describe('reconciling payments left incomplete', () => {
  const key = newKey('reconcile');
  let paymentId: string;

  it('a payment whose receipt could not be written stays pending', async () => {
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key }));
    expect(res.statusCode).toBe(503);
    const { rows } = await h.tdb.db.query<{ id: string }>(
      'SELECT id FROM payments WHERE idempotency_key = $1',
      [key],
    );
    paymentId = rows[0]?.id as string;
    expect(await pending()).toBe(1);
  });

  it('leaves payments younger than the threshold to the request that may still complete them', async () => {
    const result = await reconcileIncompletePayments(deps(), log, {
      ...DEFAULT_RECONCILE,
      olderThanMs: 3_600_000,
      limit: 10,
    });
    expect(result).toEqual({ status: 'done', found: 0, completed: 0, failed: 0 });
    expect(await pending()).toBe(1);
  });

  it('keeps a payment pending while its writes still fail, and says which', async () => {
    const result = await reconcileIncompletePayments(deps(), log, {
      ...DEFAULT_RECONCILE,
      olderThanMs: 0,
      limit: 10,
    });
    expect(result).toEqual({ status: 'done', found: 1, completed: 0, failed: 1 });
    expect(await pending()).toBe(1);
    expect(logs.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({
        message: 'reconcile: side effect still failing',
        component: 'receipt',
        paymentId,
      }),
    );
  });

  it('completes it once the bucket is back: receipt, idempotency record, completion mark', async () => {
    await ensureBucket(h.aws.s3, h.names.receiptsBucket, h.region);
    const result = await reconcileIncompletePayments(deps(), log, {
      ...DEFAULT_RECONCILE,
      olderThanMs: 0,
      limit: 10,
    });
    expect(result).toEqual({ status: 'done', found: 1, completed: 1, failed: 0 });
    expect(await pending()).toBe(0);
    expect(await h.counts()).toMatchObject({
      payments: 1,
      ledgerEntries: 2,
      receipts: 1,
      reservations: 1,
    });
    const { Item } = await h.aws.documents.send(
      new GetCommand({
        TableName: h.names.controlTable,
        Key: { pk: reservationKey(String(validPayment().merchantId), key) },
      }),
    );
    expect(Item).toMatchObject({ paymentId, state: 'committed' });
    // A later retry of the request replays the same payment and writes nothing new.
    const replay = await h.handler(postPaymentEvent({ idempotencyKey: key }));
    expect(replay.statusCode).toBe(201);
    expect(parseBody<{ id: string }>(replay).id).toBe(paymentId);
    expect(
      await reconcileIncompletePayments(deps(), log, { ...DEFAULT_RECONCILE, olderThanMs: 0, limit: 10 }),
    ).toEqual({
      status: 'done',
      found: 0,
      completed: 0,
      failed: 0,
    });
  });

  it('does nothing on a read-only database (a global-database secondary)', async () => {
    const readOnly = h.tdb.open({ readOnly: true });
    const result = await reconcileIncompletePayments(
      deps({ db: readOnly, writability: createWritabilityProbe(readOnly) }),
      log,
      { ...DEFAULT_RECONCILE, olderThanMs: 0, limit: 10 },
    );
    expect(result).toEqual({ status: 'skipped_read_only' });
  });

  it('recognises the EventBridge scheduled event, and nothing else', () => {
    expect(isScheduledEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toBe(
      true,
    );
    expect(isScheduledEvent(postPaymentEvent())).toBe(false);
    expect(isScheduledEvent(null)).toBe(false);
    expect(isScheduledEvent({ source: 'aws.events', 'detail-type': 'Other' })).toBe(false);
  });
});

describe('reconcile run limits (a store that stays down)', () => {
  let down: PaymentHarness;

  beforeAll(async () => {
    down = await createPaymentHarness(inject('motoUrl'), { createBucket: false });
    for (let i = 0; i < 3; i++) {
      expect((await down.handler(postPaymentEvent({ idempotencyKey: newKey('down') }))).statusCode).toBe(503);
    }
  });

  afterAll(async () => {
    await down?.close();
  });

  const downDeps = (deadline?: number) => depsOf(down, deadline !== undefined ? { deadline } : {});

  it('stops after a few payments in a row still fail instead of running into the function timeout', async () => {
    const result = await reconcileIncompletePayments(downDeps(), log, {
      ...DEFAULT_RECONCILE,
      olderThanMs: 0,
      maxConsecutiveFailures: 2,
    });
    expect(result).toEqual({
      status: 'done',
      found: 3,
      completed: 0,
      failed: 2,
      stoppedEarly: '2 payments in a row still failing',
    });
  });

  it('starts no payment it could not finish before the deadline', async () => {
    const result = await reconcileIncompletePayments(downDeps(Date.now() + 1000), log, {
      ...DEFAULT_RECONCILE,
      olderThanMs: 0,
    });
    expect(result).toEqual({
      status: 'done',
      found: 3,
      completed: 0,
      failed: 0,
      stoppedEarly: 'time budget used up',
    });
  });
});
