import { BUDGETS, CallDeadlineError } from '../../runtime/shared/aws-clients';
import type { SigningCredentials } from '../../runtime/shared/sigv4';
import {
  type ApproveInput,
  event,
  evaluation,
  type Execution,
  type ExecutionEvent,
  type Json,
  list,
  opt,
  plan,
  type Plan,
  type PlanSummary,
  planSummary,
  type Route53HealthCheck,
  route53HealthCheck,
  type StartExecutionInput,
  started,
  stepState,
  summary,
} from './arc-types';
import type { HttpClient, HttpResponse } from './http';
import { sigV4Signer } from './sigv4';

/**
 * A small typed client for the ARC Region switch API (the SDK package is not on the registry these machines
 * reach). Verified, with sources:
 * - Protocol AWS JSON 1.0: `POST /`, `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
 *   ArcRegionSwitch.<Operation>`, the input as a JSON object (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/
 *   arc-region-switch.json: service `ArcRegionSwitch` with trait `aws.protocols#awsJson1_0`; clients/
 *   client-arc-region-switch/src/runtimeConfig.shared.ts: `AwsJson1_0Protocol`, `serviceTarget:
 *   "ArcRegionSwitch"`). The model also lists rpcv2Cbor; JSON is what the SDKs send.
 * - SigV4 with signing name `arc-region-switch` (model trait `aws.auth#sigv4`).
 * - Endpoints (model `smithy.rules#endpointRuleSet`, dual-stack only): operations with the static context
 *   parameter `UseControlPlaneEndpoint` (CreatePlan, GetPlan, ListPlans, UpdatePlan, DeletePlan, tags,
 *   ListRoute53HealthChecks) go to `arc-region-switch-control-plane.us-east-1.api.aws`, signed for us-east-1;
 *   every operation used here goes to the Regional data plane `https://arc-region-switch.<region>.api.aws`,
 *   signed for that Region (the user guide's "Region switch API operations" table marks them "Data plane API:
 *   Yes"). drctl uses data-plane operations only (ListPlansInRegion, not ListPlans; GetPlanInRegion, not
 *   GetPlan; ListRoute53HealthChecksInRegion, not ListRoute53HealthChecks, which carries
 *   UseControlPlaneEndpoint), so nothing it does needs us-east-1's control plane.
 * - Executions run from the Region being activated ("Region switch plans are executed from the Region being
 *   activated", AWS News Blog introducing Region switch; user guide "Execute a Region switch plan": navigate
 *   to the Region you want to activate). Callers pass that Region; an execution is then read, approved and
 *   cancelled through its `executionRegion`.
 * - Shapes, enums and errors from the same model: AccessDeniedException 403, ResourceNotFoundException 404,
 *   IllegalStateException 400, IllegalArgumentException 400, InternalServerException 500. Timestamps are epoch
 *   seconds (the JSON 1.0 default). The plan ARN is `arn:aws:arc-region-switch::<account>:plan/<name>:<id>`.
 * - StartPlanExecution has no client token: it is never retried after a request may have reached the service.
 *
 * Bounds (docs/budgets.md): each attempt ARC_BUDGET.attemptTimeoutMs for the whole exchange, at most
 * ARC_BUDGET.maxAttempts attempts with full-jitter backoff, ARC_BUDGET.callDeadlineMs per call. Reads retry on
 * throttling, 5xx, timeouts and connection errors; writes only on throttling and refused connections.
 */
const { services, ...operatorBase } = BUDGETS.operator;
/** drctl's operator budget without its per-service exceptions (those are for SDK clients). */
export const ARC_BUDGET: Omit<typeof BUDGETS.operator, 'services'> = operatorBase;
const PAGE_LIMIT = 20;

/** An error answer of the service (or a transport failure), with a message a person can act on. */
export class ArcError extends Error {
  readonly $metadata: { httpStatusCode?: number };
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly operation: string,
    readonly region: string,
    status?: number,
  ) {
    super(`${operation} (${region}): ${READABLE[code] ?? code}${detail ? `: ${detail}` : ''}`);
    this.name = code;
    this.$metadata = status === undefined ? {} : { httpStatusCode: status };
  }
}
const READABLE: Record<string, string> = {
  AccessDeniedException: 'access denied (the operator role lacks this arc-region-switch action on the plan)',
  ResourceNotFoundException: 'not found',
  IllegalStateException: "refused in the plan's or execution's current state",
  IllegalArgumentException: 'invalid argument',
  ValidationException: 'invalid request',
  ThrottlingException: 'throttled',
  InternalServerException: 'internal error of the service',
  UnrecognizedClientException: 'the credentials are not valid',
  ExpiredTokenException: 'the credentials have expired',
  InvalidSignatureException: 'the request signature was rejected',
};

export interface ArcClientOptions {
  http: HttpClient;
  credentials: () => Promise<SigningCredentials>;
  /** Endpoint per Region instead of the public data plane (an emulator, a test stub). */
  endpoint?: (region: string) => string | undefined;
  now?: () => number;
  random?: () => number;
  budget?: typeof ARC_BUDGET;
}
type Call = (op: string, region: string, input: Json, signal?: AbortSignal) => Promise<Json>;

export const dataPlaneEndpoint = (region: string): string => `https://arc-region-switch.${region}.api.aws`;
const WRITES = new Set(['StartPlanExecution', 'ApprovePlanExecutionStep', 'CancelPlanExecution']);

function errorOf(op: string, region: string, res: HttpResponse): ArcError {
  let body: Json = {};
  try {
    body = JSON.parse(res.body) as Json;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const raw = res.headers['x-amzn-errortype'] ?? String(body.__type ?? body.code ?? '');
  const code =
    raw.split(':')[0]?.split('#').pop() ||
    (res.status >= 500 ? 'InternalServerException' : `HTTP${res.status}`);
  const message = String(body.message ?? body.Message ?? '')
    .replace(/\s+/g, ' ')
    .slice(0, 300);
  return new ArcError(code, message, op, region, res.status);
}

function retryable(op: string, err: unknown): boolean {
  if (err instanceof ArcError) {
    if (err.code === 'ThrottlingException' || err.$metadata.httpStatusCode === 429) return true;
    return !WRITES.has(op) && (err.$metadata.httpStatusCode ?? 0) >= 500;
  }
  // A refused connection never reached the service; anything else may have.
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNREFUSED' || !WRITES.has(op);
}

/** A transport failure named as it was (TimeoutError, HttpTransportError, ...), saying which call and Region. */
function withContext(op: string, region: string, err: unknown): unknown {
  if (err instanceof ArcError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  return Object.assign(new Error(`${op} (${region}): ${err.message}`), { name: err.name, code });
}

export function arcClient(o: ArcClientOptions): ArcClient {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const b = o.budget ?? ARC_BUDGET;
  const sign = sigV4Signer(o.credentials, now, 'arc-region-switch');
  const attempt = async (
    op: string,
    region: string,
    body: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ) => {
    const url = `${(o.endpoint?.(region) ?? dataPlaneEndpoint(region)).replace(/\/+$/, '')}/`;
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `ArcRegionSwitch.${op}` };
    const signed = await sign({ method: 'POST', url, headers, body }, region);
    const res = await o.http.request({ ...signed, method: 'POST', timeoutMs, ...(signal ? { signal } : {}) });
    if (res.status !== 200) throw errorOf(op, region, res);
    return res.body.trim() === '' ? {} : (JSON.parse(res.body) as Json);
  };
  const call: Call = (op, region, input, callerSignal) => {
    const started = now();
    const body = JSON.stringify(input);
    // At the deadline the request in flight is destroyed and no further attempt starts.
    const expiry = new AbortController();
    const signal = callerSignal ? AbortSignal.any([callerSignal, expiry.signal]) : expiry.signal;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expiry.abort();
        reject(new CallDeadlineError(`arc-region-switch ${op}`, b.callDeadlineMs));
      }, b.callDeadlineMs);
    });
    const run = async (): Promise<Json> => {
      for (let n = 1; ; n++) {
        const left = b.callDeadlineMs - (now() - started);
        try {
          return await attempt(op, region, body, Math.max(1, Math.min(b.attemptTimeoutMs, left)), signal);
        } catch (err) {
          if (signal.aborted || n >= b.maxAttempts || !retryable(op, err)) throw withContext(op, region, err);
          const throttled = err instanceof ArcError && err.code === 'ThrottlingException';
          const delay = random() * Math.min(20_000, (throttled ? 1000 : 50) * 2 ** n);
          if (now() - started + delay >= b.callDeadlineMs) throw withContext(op, region, err);
          await new Promise((done) => setTimeout(done, delay));
        }
      }
    };
    return Promise.race([run(), deadline]).finally(() => clearTimeout(timer));
  };
  return operations(call);
}

function operations(call: Call) {
  /** Every page of a paginated read, at most PAGE_LIMIT pages (each a bounded call). */
  const pages = async (op: string, region: string, input: Json, items: string, signal?: AbortSignal) => {
    const all: Json[] = [];
    let first: Json = {};
    let token: string | undefined;
    for (let page = 0; page < PAGE_LIMIT; page++) {
      const out = await call(op, region, { ...input, ...(token ? { nextToken: token } : {}) }, signal);
      if (page === 0) first = out;
      all.push(...list(out, items));
      token = opt(out, 'nextToken');
      if (!token) break;
    }
    return { first, all };
  };
  type Id = { planArn: string; executionId: string };
  return {
    listPlansInRegion: async (region: string, signal?: AbortSignal): Promise<PlanSummary[]> =>
      (await pages('ListPlansInRegion', region, { maxResults: 100 }, 'plans', signal)).all.map(planSummary),
    getPlanInRegion: async (region: string, arn: string, signal?: AbortSignal): Promise<Plan> =>
      plan(((await call('GetPlanInRegion', region, { arn }, signal)).plan ?? {}) as Json),
    startPlanExecution: async (region: string, input: StartExecutionInput, signal?: AbortSignal) =>
      started(await call('StartPlanExecution', region, { ...input }, signal)),
    getPlanExecution: async (region: string, id: Id, signal?: AbortSignal): Promise<Execution> => {
      const input = { ...id, maxResults: 100 };
      const { first, all } = await pages('GetPlanExecution', region, input, 'stepStates', signal);
      return {
        ...summary(first),
        stepStates: all.map(stepState),
        ...(first.plan ? { plan: plan(first.plan as Json) } : {}),
      };
    },
    listPlanExecutions: async (region: string, planArn: string, maxResults: number, signal?: AbortSignal) =>
      list(await call('ListPlanExecutions', region, { planArn, maxResults }, signal), 'items').map(summary),
    listPlanExecutionEvents: async (
      region: string,
      id: Id,
      signal?: AbortSignal,
    ): Promise<ExecutionEvent[]> =>
      (await pages('ListPlanExecutionEvents', region, { ...id, maxResults: 100 }, 'items', signal)).all.map(
        event,
      ),
    approvePlanExecutionStep: async (region: string, input: ApproveInput, signal?: AbortSignal) => {
      await call('ApprovePlanExecutionStep', region, { ...input }, signal);
    },
    cancelPlanExecution: async (region: string, input: Id & { comment?: string }, signal?: AbortSignal) => {
      await call('CancelPlanExecution', region, { ...input }, signal);
    },
    /**
     * The Route 53 health checks ARC created for the plan's health-check execution block, as this Region's data
     * plane reports them (API_ListRoute53HealthChecksInRegion: `arn` the plan ARN, required; `maxResults`
     * 1-100; paginated by `nextToken`).
     */
    listRoute53HealthChecksInRegion: async (
      region: string,
      arn: string,
      signal?: AbortSignal,
    ): Promise<Route53HealthCheck[]> =>
      (
        await pages(
          'ListRoute53HealthChecksInRegion',
          region,
          { arn, maxResults: 100 },
          'healthChecks',
          signal,
        )
      ).all.map(route53HealthCheck),
    getPlanEvaluationStatus: async (region: string, planArn: string, signal?: AbortSignal) => {
      const input = { planArn, maxResults: 100 };
      const { first, all } = await pages('GetPlanEvaluationStatus', region, input, 'warnings', signal);
      return evaluation(first, all);
    },
  };
}

export type ArcClient = ReturnType<typeof operations>;
