import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { iso } from '../../../runtime/shared/clock';
import { idempotencyRecordKey, receiptKey } from '../../../runtime/payment-api/resource';
import { awsErrorName, awsHttpStatus } from '../../../runtime/shared/aws-clients';
import { jsonBody } from '../http';
import { CANARY_MERCHANT, sendCanary } from './canaries';
import type { DrillRun } from './run';
import { type CanaryRecord, message, type Store, STORES } from './types';

/**
 * What the drill watches: each canary in the secondary region's three stores (the ledger row through the
 * secondary's own API name, the idempotency record with a DynamoDB GetItem, the receipt with an S3
 * HeadObject), and the public name's /health on fresh connections.
 */
const notFound = (err: unknown): boolean => {
  const name = awsErrorName(err);
  return name === 'NotFound' || name === 'NoSuchKey' || awsHttpStatus(err) === 404;
};
const forbidden = (err: unknown): boolean => {
  const name = awsErrorName(err);
  return name === 'AccessDenied' || name === 'AccessDeniedException' || awsHttpStatus(err) === 403;
};

/** Looks for one canary in one store of the secondary region; records its first sighting. */
async function check(run: DrillRun, c: CanaryRecord, store: Store): Promise<void> {
  const { s, deps } = run;
  const v = c.visibility[store];
  const id = c.paymentId as string;
  let visible = false;
  try {
    if (store === 'aurora') {
      const res = await run.signed(
        {
          method: 'GET',
          url: `https://${s.secondaryApiHost}/payments/${encodeURIComponent(id)}`,
          headers: { accept: 'application/json' },
          timeoutMs: s.requestTimeoutMs,
        },
        s.secondaryRegion,
      );
      if (res.status === 200) visible = jsonBody(res)?.id === id;
      else if (res.status === 401 || res.status === 403)
        v.error = `HTTP ${res.status} from ${s.secondaryApiHost}`;
    } else if (store === 'dynamodb') {
      const out = await deps.ddbSecondary.send(
        new GetCommand({
          TableName: s.idempotencyTable,
          Key: { pk: idempotencyRecordKey(CANARY_MERCHANT, c.idempotencyKey) },
        }),
      );
      visible = out.Item?.paymentId === id;
    } else {
      const key = receiptKey({ id, createdAt: new Date(c.createdAt ?? c.committedAt ?? c.sentAt) });
      await deps.s3Secondary.send(new HeadObjectCommand({ Bucket: s.secondaryReceiptsBucket, Key: key }));
      visible = true;
    }
  } catch (err) {
    if (forbidden(err)) v.error = message(err);
    else if (!notFound(err)) run.progress(`${store} check failed, retrying: ${message(err)}`);
  }
  if (visible) {
    const now = deps.clock.now();
    v.visibleAt = iso(now);
    v.lagMs = now - Date.parse(c.sentAt);
  }
}

/**
 * Writes the canaries, one per interval, while looking for every written one in the secondary region, until
 * each is seen in every store, refused (access denied) or past the observation timeout.
 */
export async function writeAndObserve(run: DrillRun): Promise<void> {
  const { s, deps } = run;
  const { clock } = deps;
  const start = clock.now();
  let next = 0;
  for (;;) {
    while (next < s.canaries && clock.now() >= start + next * s.canaryIntervalMs) {
      const c = await sendCanary(run, next);
      run.canaries.push(c);
      run.event(
        c.paymentId
          ? `canary ${next} written: ${c.paymentId} (served by ${c.servedBy ?? '?'})`
          : `canary ${next} failed: ${c.error ?? '?'}`,
      );
      next++;
    }
    const pending: Array<[CanaryRecord, Store]> = [];
    for (const c of run.canaries) {
      if (!c.paymentId) continue;
      for (const store of STORES) {
        const v = c.visibility[store];
        if (v.visibleAt !== null || v.error !== undefined) continue;
        if (clock.now() - Date.parse(c.sentAt) > s.observeTimeoutMs) {
          v.error = `not visible in ${s.secondaryRegion} within ${s.observeTimeoutMs} ms`;
          continue;
        }
        pending.push([c, store]);
      }
    }
    await Promise.all(
      pending.map(async ([c, store]) => {
        await check(run, c, store);
        const v = c.visibility[store];
        if (v.visibleAt)
          run.event(`canary ${c.index} visible in ${s.secondaryRegion} ${store} after ${v.lagMs} ms`);
      }),
    );
    const unresolved = run.canaries.some(
      (c) =>
        c.paymentId && STORES.some((st) => c.visibility[st].visibleAt === null && !c.visibility[st].error),
    );
    if (next >= s.canaries && !unresolved) return;
    await clock.sleep(s.observePollMs, deps.signal);
  }
}

/** One GET of the public name's /health: its status and the region that answered. */
export async function publicHealth(run: DrillRun): Promise<{ status: number; region?: string }> {
  const res = await run.deps.http.request({
    method: 'GET',
    url: `https://${run.s.publicHost}/health`,
    headers: { accept: 'application/json', 'cache-control': 'no-cache' },
    timeoutMs: run.s.requestTimeoutMs,
  });
  const region = jsonBody(res)?.region;
  return { status: res.status, ...(typeof region === 'string' ? { region } : {}) };
}

/**
 * Polls the public /health until it answers 200 from `region`; the time it did, or null after `timeoutMs`.
 * `onRouted` hears of the first answer from `region`, whatever its status.
 */
export async function waitForPublic(
  run: DrillRun,
  region: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onRouted?: (at: number) => void,
): Promise<number | null> {
  const { s, deps, failover } = run;
  const { clock } = deps;
  const started = clock.now();
  let last = '';
  let routed = false;
  for (let poll = 0; ; poll++) {
    failover.healthPolls += region === s.secondaryRegion ? 1 : 0;
    let seen: string;
    try {
      const h = await publicHealth(run);
      seen = `${h.status} from ${h.region ?? 'unknown region'}`;
      if (h.region === region && !routed) {
        routed = true;
        onRouted?.(clock.now());
      }
      if (h.region === region && h.status === 200) return clock.now();
    } catch (err) {
      if (region === s.secondaryRegion) failover.healthErrors++;
      seen = `no answer (${message(err)})`;
    }
    const now = clock.now();
    if (seen !== last || poll % 10 === 0) {
      run.progress(`public ${s.publicHost}/health: ${seen} (waiting for ${region})`);
      last = seen;
    }
    if (now - started >= timeoutMs) return null;
    await clock.sleep(s.rtoPollMs, signal);
  }
}
