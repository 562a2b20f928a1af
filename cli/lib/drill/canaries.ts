import { CANARY_MERCHANT_ID } from '../../../runtime/payment-api/merchants';
import { iso } from '../../../runtime/shared/clock';
import { type HttpResponse, jsonBody } from '../http';
import type { DrillRun } from './run';
import { type CanaryRecord, type DrillReport, message } from './types';

/**
 * The canary payments of a drill: written through the public name (SigV4, unique Idempotency-Keys) before the
 * failover, and one more after it, which the secondary region must accept.
 */
const CANARY_TOKEN = 'tok_drillcanary00000000';
/**
 * The merchant every canary payment is made for: the one the DR operator role is bound to (the API's resource
 * policy and the payment function's merchant directory), so a drill can touch no real merchant's payments.
 */
export const CANARY_MERCHANT = CANARY_MERCHANT_ID;

export function canaryBody(runId: string, index: number): string {
  return JSON.stringify({
    amount: 100,
    currency: 'USD',
    merchantId: CANARY_MERCHANT,
    reference: `drill-${runId}-${index}`,
    paymentMethod: { type: 'card_token', token: CANARY_TOKEN },
  });
}

function newCanary(index: number, idempotencyKey: string, sentAt: number, attempts: number): CanaryRecord {
  return {
    index,
    idempotencyKey,
    paymentId: null,
    sentAt: iso(sentAt),
    committedAt: null,
    createdAt: null,
    servedBy: null,
    attempts,
    visibility: {
      aurora: { visibleAt: null, lagMs: null },
      dynamodb: { visibleAt: null, lagMs: null },
      s3: { visibleAt: null, lagMs: null },
    },
  };
}

function postCanary(run: DrillRun, c: CanaryRecord, region: string, body: string): Promise<HttpResponse> {
  return run.signed(
    {
      method: 'POST',
      url: `https://${run.s.publicHost}/payments`,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': c.idempotencyKey,
        accept: 'application/json',
      },
      body,
      timeoutMs: run.s.requestTimeoutMs,
    },
    region,
  );
}

/** Writes one canary; retries transient failures with the same Idempotency-Key (the API makes that safe). */
export async function sendCanary(run: DrillRun, index: number): Promise<CanaryRecord> {
  const { s, deps } = run;
  const c = newCanary(index, `drill-${s.runId}-${index}`, deps.clock.now(), 0);
  const body = canaryBody(s.runId, index);
  for (let attempt = 1; attempt <= 3; attempt++) {
    c.attempts = attempt;
    try {
      const res = await postCanary(run, c, s.primaryRegion, body);
      const json = jsonBody(res);
      if (res.status === 201 && typeof json?.id === 'string') {
        c.paymentId = json.id;
        c.committedAt = iso(deps.clock.now());
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
    if (attempt < 3) await deps.clock.sleep(1000 * attempt, deps.signal);
  }
  return c;
}

/** After a switchover, a payment through the public name must be accepted by the secondary region. */
export async function writeAfterFailover(
  run: DrillRun,
): Promise<NonNullable<DrillReport['postFailoverWrite']>> {
  const { s } = run;
  const c = newCanary(s.canaries, `drill-${s.runId}-after`, run.deps.clock.now(), 1);
  try {
    const res = await postCanary(run, c, s.secondaryRegion, canaryBody(s.runId, s.canaries));
    const region = jsonBody(res)?.region;
    const ok = res.status === 201 && region === s.secondaryRegion;
    run.event(`write after failover: HTTP ${res.status} from ${typeof region === 'string' ? region : '?'}`);
    if (!ok)
      run.errors.push(
        `a payment after failover was not accepted by ${s.secondaryRegion} (HTTP ${res.status})`,
      );
    return { ok, status: res.status, region: typeof region === 'string' ? region : null };
  } catch (err) {
    run.errors.push(`a payment after failover failed: ${message(err)}`);
    return { ok: false, status: null, region: null, error: message(err) };
  }
}
