import {
  GetHealthCheckCommand,
  type Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { idempotencyRecordKey, receiptKey } from '../../runtime/payment-api/resource';
import { AbortError, type Clock, iso } from '../../runtime/failover/clock';
import type { OrchestrationResult } from '../../runtime/failover/orchestrator';
import type { GlobalTopology } from '../../runtime/failover/topology';
import { awsErrorName, awsHttpStatus } from '../../runtime/shared/aws-clients';
import { elapsedTag } from './format';
import { type HttpClient, type HttpRequest, type HttpResponse, jsonBody } from './http';
import type { RequestSigner } from './sigv4';

/**
 * The game-day engine behind `drctl drill`, with every dependency injected (clock, HTTP, AWS clients, the
 * orchestrator) so a whole drill can run against simulated time and events.
 *
 * 1. Preflight: the primary cluster writes, the public name serves 200 from the primary region, and (for the
 *    inversion method) the primary health check is not already inverted.
 * 2. Canaries: N payments through the public name (SigV4, unique Idempotency-Keys), one per interval, while
 *    every canary is looked for in the secondary region: the ledger row through the secondary's own API name
 *    (GET /payments/{id}), the idempotency record with a DynamoDB GetItem, the receipt with an S3 HeadObject.
 *    Observed lag = first sighting - send time (an upper bound: it includes the write latency and up to one
 *    poll interval); the observed RPO of a store is the largest lag over all canaries.
 * 3. Failover, by `switchover` (the orchestrator) or by inverting the primary Route 53 health check, while
 *    the public name's /health is polled on fresh connections: RTO = from the start of the failover until the
 *    public name serves 200 from the secondary region (for the inversion method, which leaves the database in
 *    the primary region: until the public name answers from the secondary region).
 * 4. Restore, always (also after errors or an interrupt): failback, or un-invert; then wait until the public
 *    name serves from the primary region again.
 */
export type DrillMethod = 'switchover' | 'health-check-inversion';
export type Store = 'aurora' | 'dynamodb' | 's3';
export const STORES: readonly Store[] = ['aurora', 'dynamodb', 's3'];

export interface DrillTargets {
  /** Requirement: every store's observed RPO. */
  rpoMs: number;
  /** Requirement. */
  rtoMs: number;
  /** Design targets, stricter than the requirement. */
  strictRtoMs: number;
  strictLedgerRpoMs: number;
}

export const DEFAULT_TARGETS: DrillTargets = {
  rpoMs: 15 * 60_000,
  rtoMs: 30 * 60_000,
  strictRtoMs: 5 * 60_000,
  strictLedgerRpoMs: 1000,
};

export interface DrillSettings {
  environment: string;
  runId: string;
  method: DrillMethod;
  primaryRegion: string;
  secondaryRegion: string;
  primaryClusterId: string;
  publicHost: string;
  secondaryApiHost: string;
  idempotencyTable: string;
  secondaryReceiptsBucket: string;
  /** Route 53 id of the primary health check (inversion method). */
  healthCheckId?: string;
  canaries: number;
  canaryIntervalMs: number;
  observePollMs: number;
  observeTimeoutMs: number;
  rtoPollMs: number;
  rtoTimeoutMs: number;
  restoreTimeoutMs: number;
  requestTimeoutMs: number;
  targets: DrillTargets;
}

export interface DrillDeps {
  clock: Clock;
  http: HttpClient;
  sign: RequestSigner;
  ddbSecondary: DynamoDBDocumentClient;
  s3Secondary: S3Client;
  route53: Route53Client;
  readTopology: () => Promise<GlobalTopology>;
  orchestrate: (
    action: 'switchover' | 'failback',
    options: { preconditionWaitMs: number; signal?: AbortSignal },
  ) => Promise<OrchestrationResult>;
  progress: (line: string) => void;
  /** Aborting it ends the current phase early; the restore still runs. */
  signal?: AbortSignal;
}

export interface Visibility {
  visibleAt: string | null;
  lagMs: number | null;
  error?: string;
}

export interface CanaryRecord {
  index: number;
  idempotencyKey: string;
  paymentId: string | null;
  sentAt: string;
  committedAt: string | null;
  /** Creation time the API recorded (server clock). */
  createdAt: string | null;
  servedBy: string | null;
  attempts: number;
  error?: string;
  visibility: Record<Store, Visibility>;
}

export interface TargetResult {
  id: string;
  description: string;
  observedMs: number | null;
  limitMs: number;
  pass: boolean;
  strict: boolean;
}

export interface DrillReport {
  runId: string;
  environment: string;
  method: DrillMethod;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  primaryRegion: string;
  secondaryRegion: string;
  publicHost: string;
  canaries: CanaryRecord[];
  rpo: Record<Store, { observedMs: number | null; visible: number; total: number }>;
  /** Polling interval of the replication observation: the resolution of the observed lags. */
  rpoResolutionMs: number;
  failover: {
    startedAt: string | null;
    promotion: Pick<OrchestrationResult, 'outcome' | 'message' | 'promotionMs' | 'elapsedMs'> | null;
    healthCheckInverted: boolean;
    /** First answer of the public name from the secondary region (any status). */
    routedAt: string | null;
    routedMs: number | null;
    /** First 200 of the public name from the secondary region. */
    servingAt: string | null;
    servingMs: number | null;
    rtoMs: number | null;
    rtoDefinition: string;
    healthPolls: number;
    healthErrors: number;
  };
  postFailoverWrite: { ok: boolean; status: number | null; region: string | null; error?: string } | null;
  restore: {
    startedAt: string | null;
    action: string | null;
    outcome: string | null;
    message: string | null;
    restoredAt: string | null;
    durationMs: number | null;
  };
  targets: TargetResult[];
  /** All requirement targets met and no errors. */
  passed: boolean;
  strictPassed: boolean;
  timeline: Array<{ at: string; tMs: number; event: string }>;
  errors: string[];
}

class DrillAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillAbort';
  }
}

const CANARY_TOKEN = 'tok_drillcanary00000000';
/** The merchant every canary payment is made for (idempotency keys are scoped to the merchant). */
export const CANARY_MERCHANT = 'drill_canary';

export function canaryBody(runId: string, index: number): string {
  return JSON.stringify({
    amount: 100,
    currency: 'USD',
    merchantId: CANARY_MERCHANT,
    reference: `drill-${runId}-${index}`,
    paymentMethod: { type: 'card_token', token: CANARY_TOKEN },
  });
}

const notFound = (err: unknown): boolean => {
  const name = awsErrorName(err);
  return name === 'NotFound' || name === 'NoSuchKey' || awsHttpStatus(err) === 404;
};
const forbidden = (err: unknown): boolean => {
  const name = awsErrorName(err);
  return name === 'AccessDenied' || name === 'AccessDeniedException' || awsHttpStatus(err) === 403;
};
const message = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

export async function runDrill(s: DrillSettings, deps: DrillDeps): Promise<DrillReport> {
  const { clock } = deps;
  const t0 = clock.now();
  const timeline: DrillReport['timeline'] = [];
  const errors: string[] = [];
  const event = (text: string): void => {
    const now = clock.now();
    timeline.push({ at: iso(now), tMs: now - t0, event: text });
    deps.progress(`${elapsedTag(now - t0)} ${text}`);
  };
  const canaries: CanaryRecord[] = [];
  const failover: DrillReport['failover'] = {
    startedAt: null,
    promotion: null,
    healthCheckInverted: false,
    routedAt: null,
    routedMs: null,
    servingAt: null,
    servingMs: null,
    rtoMs: null,
    rtoDefinition:
      s.method === 'switchover'
        ? 'from the switchover request until the public name serves 200 from the secondary region'
        : 'from the health check inversion until the public name answers from the secondary region',
    healthPolls: 0,
    healthErrors: 0,
  };
  let postFailoverWrite: DrillReport['postFailoverWrite'] = null;
  const restore: DrillReport['restore'] = {
    startedAt: null,
    action: null,
    outcome: null,
    message: null,
    restoredAt: null,
    durationMs: null,
  };
  let switchoverRequested = false;
  let inversionRequested = false;

  const signed = async (req: HttpRequest, region: string): Promise<HttpResponse> =>
    deps.http.request(await deps.sign(req, region));

  const publicHealth = async (): Promise<{ status: number; region?: string }> => {
    const res = await deps.http.request({
      method: 'GET',
      url: `https://${s.publicHost}/health`,
      headers: { accept: 'application/json', 'cache-control': 'no-cache' },
      timeoutMs: s.requestTimeoutMs,
    });
    const region = jsonBody(res)?.region;
    return { status: res.status, ...(typeof region === 'string' ? { region } : {}) };
  };

  /** Polls the public /health until it answers from `region` (and with 200 when `serving`). */
  const waitForPublic = async (
    region: string,
    mode: 'routed' | 'serving',
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onRouted?: (at: number) => void,
  ): Promise<number | null> => {
    const started = clock.now();
    let last = '';
    let routed = false;
    for (let poll = 0; ; poll++) {
      failover.healthPolls += region === s.secondaryRegion ? 1 : 0;
      let seen: string;
      try {
        const h = await publicHealth();
        seen = `${h.status} from ${h.region ?? 'unknown region'}`;
        if (h.region === region && !routed) {
          routed = true;
          onRouted?.(clock.now());
          if (mode === 'routed') return clock.now();
        }
        if (mode === 'serving' && h.region === region && h.status === 200) return clock.now();
      } catch (err) {
        if (region === s.secondaryRegion) failover.healthErrors++;
        seen = `no answer (${message(err)})`;
      }
      const now = clock.now();
      if (seen !== last || poll % 10 === 0) {
        deps.progress(
          `${elapsedTag(now - t0)} public ${s.publicHost}/health: ${seen} (waiting for ${region})`,
        );
        last = seen;
      }
      if (now - started >= timeoutMs) return null;
      await clock.sleep(s.rtoPollMs, signal);
    }
  };

  try {
    event(`drill ${s.runId} started (${s.method}, ${s.canaries} canaries)`);

    // 1. Preflight.
    const topology = await deps.readTopology();
    if (topology.writer?.clusterId !== s.primaryClusterId) {
      throw new DrillAbort(
        `the drill expects ${s.primaryClusterId} (${s.primaryRegion}) to write; the writer is ${topology.writer?.clusterId ?? 'none'}`,
      );
    }
    const before = await publicHealth().catch((err: unknown) => {
      throw new DrillAbort(`the public name does not answer: ${message(err)}`);
    });
    if (before.status !== 200 || before.region !== s.primaryRegion) {
      throw new DrillAbort(
        `the public name must serve 200 from ${s.primaryRegion} before a drill; it answered ${before.status} from ${before.region ?? 'unknown'}`,
      );
    }
    if (s.method === 'health-check-inversion') {
      if (!s.healthCheckId) throw new DrillAbort('the primary health check was not found');
      const hc = await deps.route53.send(new GetHealthCheckCommand({ HealthCheckId: s.healthCheckId }));
      if (hc.HealthCheck?.HealthCheckConfig?.Inverted) {
        throw new DrillAbort(
          `health check ${s.healthCheckId} is already inverted (a previous drill did not restore it?); un-invert it first`,
        );
      }
    }
    event('preflight passed: primary writes and serves the public name');

    // 2. Canaries and replication observation.
    await writeAndObserve();
    const failedWrites = canaries.filter((c) => c.paymentId === null);
    if (failedWrites.length > 0) {
      throw new DrillAbort(
        `${failedWrites.length} canary payment(s) could not be written (${failedWrites[0]?.error ?? '?'}); no failover was attempted`,
      );
    }

    // 3. Failover, with RTO measured from its start.
    const failoverStart = clock.now();
    failover.startedAt = iso(failoverStart);
    const rtoStop = new AbortController();
    const stopOn = deps.signal;
    const onOuterAbort = () => rtoStop.abort();
    stopOn?.addEventListener('abort', onOuterAbort, { once: true });
    const rtoWait = waitForPublic(
      s.secondaryRegion,
      s.method === 'switchover' ? 'serving' : 'routed',
      s.rtoTimeoutMs,
      rtoStop.signal,
      (at) => {
        failover.routedAt = iso(at);
        failover.routedMs = at - failoverStart;
        event(`public name answers from ${s.secondaryRegion}`);
      },
    ).catch((err: unknown) => {
      if (err instanceof AbortError) return null;
      throw err;
    });
    try {
      if (s.method === 'switchover') {
        event('failover: switchover requested');
        switchoverRequested = true;
        const result = await deps.orchestrate('switchover', {
          preconditionWaitMs: 120_000,
          ...(deps.signal ? { signal: deps.signal } : {}),
        });
        failover.promotion = {
          outcome: result.outcome,
          message: result.message,
          elapsedMs: result.elapsedMs,
          ...(result.promotionMs !== undefined ? { promotionMs: result.promotionMs } : {}),
        };
        if (result.outcome !== 'completed' && result.outcome !== 'noop') {
          rtoStop.abort();
          throw new DrillAbort(`switchover ${result.outcome}: ${result.message}`);
        }
        event(`switchover completed: ${result.message}`);
      } else {
        event(`failover: inverting health check ${s.healthCheckId}`);
        inversionRequested = true;
        await deps.route53.send(
          new UpdateHealthCheckCommand({ HealthCheckId: s.healthCheckId, Inverted: true }),
        );
        failover.healthCheckInverted = true;
      }
      const doneAt = await rtoWait;
      if (deps.signal?.aborted) throw new AbortError();
      if (doneAt === null) {
        throw new DrillAbort(`the public name did not fail over within ${s.rtoTimeoutMs} ms`);
      }
      if (s.method === 'switchover') {
        failover.servingAt = iso(doneAt);
        failover.servingMs = doneAt - failoverStart;
        failover.rtoMs = failover.servingMs;
        event(`public name serves from ${s.secondaryRegion}: RTO ${failover.rtoMs} ms`);
      } else {
        failover.rtoMs = failover.routedMs;
      }
    } finally {
      stopOn?.removeEventListener('abort', onOuterAbort);
      rtoStop.abort();
    }

    // Writes are accepted in the secondary region after a switchover.
    if (s.method === 'switchover') postFailoverWrite = await writeAfterFailover();
  } catch (err) {
    const text = err instanceof AbortError ? 'drill interrupted' : message(err).replace(/^DrillAbort: /, '');
    errors.push(text);
    event(`error: ${text}`);
  } finally {
    await restoreEnvironment();
  }

  const finished = clock.now();
  const rpo = {} as DrillReport['rpo'];
  for (const store of STORES) {
    const lags = canaries.map((c) => c.visibility[store].lagMs);
    const visible = lags.filter((l): l is number => l !== null);
    rpo[store] = {
      observedMs: canaries.length > 0 && visible.length === canaries.length ? Math.max(...visible) : null,
      visible: visible.length,
      total: canaries.length,
    };
  }
  const t = s.targets;
  const target = (
    id: string,
    description: string,
    observedMs: number | null,
    limitMs: number,
    strict: boolean,
  ) => ({
    id,
    description,
    observedMs,
    limitMs,
    pass: observedMs !== null && observedMs <= limitMs,
    strict,
  });
  const targets: TargetResult[] = [
    ...STORES.map((store) =>
      target(
        `rpo-${store}`,
        `${store} RPO <= ${t.rpoMs / 60_000} min`,
        rpo[store].observedMs,
        t.rpoMs,
        false,
      ),
    ),
    target('rto', `RTO <= ${t.rtoMs / 60_000} min`, failover.rtoMs, t.rtoMs, false),
    target('strict-rto', `RTO <= ${t.strictRtoMs / 60_000} min`, failover.rtoMs, t.strictRtoMs, true),
    target(
      'strict-ledger-rpo',
      `ledger (Aurora) RPO <= ${t.strictLedgerRpoMs / 1000} s`,
      rpo.aurora.observedMs,
      t.strictLedgerRpoMs,
      true,
    ),
  ];
  const report: DrillReport = {
    runId: s.runId,
    environment: s.environment,
    method: s.method,
    startedAt: iso(t0),
    finishedAt: iso(finished),
    durationMs: finished - t0,
    primaryRegion: s.primaryRegion,
    secondaryRegion: s.secondaryRegion,
    publicHost: s.publicHost,
    canaries,
    rpo,
    rpoResolutionMs: s.observePollMs,
    failover,
    postFailoverWrite,
    restore,
    targets,
    passed: errors.length === 0 && targets.filter((x) => !x.strict).every((x) => x.pass),
    strictPassed: targets.every((x) => x.pass),
    timeline,
    errors,
  };
  event(`drill finished: ${report.passed ? 'PASSED' : 'FAILED'}`);
  return report;

  async function postCanary(c: CanaryRecord, region: string, body: string): Promise<HttpResponse> {
    return signed(
      {
        method: 'POST',
        url: `https://${s.publicHost}/payments`,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': c.idempotencyKey,
          accept: 'application/json',
        },
        body,
        timeoutMs: s.requestTimeoutMs,
      },
      region,
    );
  }

  /** Writes one canary; retries transient failures with the same Idempotency-Key (the API makes that safe). */
  async function sendCanary(index: number): Promise<CanaryRecord> {
    const c: CanaryRecord = {
      index,
      idempotencyKey: `drill-${s.runId}-${index}`,
      paymentId: null,
      sentAt: iso(clock.now()),
      committedAt: null,
      createdAt: null,
      servedBy: null,
      attempts: 0,
      visibility: {
        aurora: { visibleAt: null, lagMs: null },
        dynamodb: { visibleAt: null, lagMs: null },
        s3: { visibleAt: null, lagMs: null },
      },
    };
    const body = canaryBody(s.runId, index);
    for (let attempt = 1; attempt <= 3; attempt++) {
      c.attempts = attempt;
      try {
        const res = await postCanary(c, s.primaryRegion, body);
        const json = jsonBody(res);
        if (res.status === 201 && typeof json?.id === 'string') {
          c.paymentId = json.id;
          c.committedAt = iso(clock.now());
          c.createdAt = typeof json.createdAt === 'string' ? json.createdAt : null;
          c.servedBy = typeof json.region === 'string' ? json.region : null;
          delete c.error;
          return c;
        }
        c.error = `HTTP ${res.status}${typeof json?.error === 'object' ? ` ${JSON.stringify(json.error)}` : ''}`;
        if (res.status < 500 && res.status !== 429) return c;
      } catch (err) {
        c.error = message(err);
      }
      if (attempt < 3) await clock.sleep(1000 * attempt, deps.signal);
    }
    return c;
  }

  async function check(c: CanaryRecord, store: Store): Promise<void> {
    const v = c.visibility[store];
    const id = c.paymentId as string;
    let visible = false;
    try {
      if (store === 'aurora') {
        const res = await signed(
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
      else if (!notFound(err))
        deps.progress(`${elapsedTag(clock.now() - t0)} ${store} check failed, retrying: ${message(err)}`);
    }
    if (visible) {
      const now = clock.now();
      v.visibleAt = iso(now);
      v.lagMs = now - Date.parse(c.sentAt);
    }
  }

  async function writeAndObserve(): Promise<void> {
    const start = clock.now();
    let next = 0;
    for (;;) {
      while (next < s.canaries && clock.now() >= start + next * s.canaryIntervalMs) {
        const c = await sendCanary(next);
        canaries.push(c);
        event(
          c.paymentId
            ? `canary ${next} written: ${c.paymentId} (served by ${c.servedBy ?? '?'})`
            : `canary ${next} failed: ${c.error ?? '?'}`,
        );
        next++;
      }
      const pending: Array<[CanaryRecord, Store]> = [];
      for (const c of canaries) {
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
          await check(c, store);
          const v = c.visibility[store];
          if (v.visibleAt)
            event(`canary ${c.index} visible in ${s.secondaryRegion} ${store} after ${v.lagMs} ms`);
        }),
      );
      const unresolved = canaries.some(
        (c) =>
          c.paymentId && STORES.some((st) => c.visibility[st].visibleAt === null && !c.visibility[st].error),
      );
      if (next >= s.canaries && !unresolved) return;
      await clock.sleep(s.observePollMs, deps.signal);
    }
  }

  async function writeAfterFailover(): Promise<NonNullable<DrillReport['postFailoverWrite']>> {
    const c: CanaryRecord = {
      index: s.canaries,
      idempotencyKey: `drill-${s.runId}-after`,
      paymentId: null,
      sentAt: iso(clock.now()),
      committedAt: null,
      createdAt: null,
      servedBy: null,
      attempts: 1,
      visibility: {
        aurora: { visibleAt: null, lagMs: null },
        dynamodb: { visibleAt: null, lagMs: null },
        s3: { visibleAt: null, lagMs: null },
      },
    };
    try {
      const res = await postCanary(c, s.secondaryRegion, canaryBody(s.runId, s.canaries));
      const region = jsonBody(res)?.region;
      const ok = res.status === 201 && region === s.secondaryRegion;
      event(`write after failover: HTTP ${res.status} from ${typeof region === 'string' ? region : '?'}`);
      if (!ok)
        errors.push(`a payment after failover was not accepted by ${s.secondaryRegion} (HTTP ${res.status})`);
      return { ok, status: res.status, region: typeof region === 'string' ? region : null };
    } catch (err) {
      errors.push(`a payment after failover failed: ${message(err)}`);
      return { ok: false, status: null, region: null, error: message(err) };
    }
  }

  async function restoreEnvironment(): Promise<void> {
    if (!switchoverRequested && !inversionRequested) return;
    const started = clock.now();
    restore.startedAt = iso(started);
    try {
      if (inversionRequested) {
        restore.action = 'un-invert health check';
        event(`restore: un-inverting health check ${s.healthCheckId}`);
        await deps.route53.send(
          new UpdateHealthCheckCommand({ HealthCheckId: s.healthCheckId, Inverted: false }),
        );
        restore.outcome = 'completed';
        restore.message = 'health check no longer inverted';
      } else {
        restore.action = 'failback';
        event('restore: failback requested');
        const result = await deps.orchestrate('failback', { preconditionWaitMs: s.restoreTimeoutMs });
        restore.outcome = result.outcome;
        restore.message = result.message;
        if (result.outcome !== 'completed' && result.outcome !== 'noop') {
          throw new DrillAbort(`failback ${result.outcome}: ${result.message}`);
        }
      }
      const back = await waitForPublic(s.primaryRegion, 'serving', s.restoreTimeoutMs, undefined);
      if (back === null)
        throw new DrillAbort(
          `the public name did not return to ${s.primaryRegion} within ${s.restoreTimeoutMs} ms`,
        );
      restore.restoredAt = iso(back);
      restore.durationMs = back - started;
      event(`restored: public name serves from ${s.primaryRegion} again`);
    } catch (err) {
      const text = `restore failed: ${message(err).replace(/^DrillAbort: /, '')}`;
      errors.push(text);
      event(`error: ${text}`);
    }
  }
}
