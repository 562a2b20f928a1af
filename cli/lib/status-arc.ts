import type { ArcClient } from './arc-client';
import type { Evaluation, ExecutionSummary, PlanSummary, Route53HealthCheck, StepState } from './arc-types';
import { serviceAnswered } from './reading';

/**
 * What `drctl status` reads from ARC Region switch: the plan (ListPlansInRegion in both Regions, whichever
 * answers), its latest execution (ListPlanExecutions in both Regions: an execution is listed where it ran; the
 * newest wins), that execution's steps (GetPlanExecution in its Region), each Region's plan evaluation, and the
 * Route 53 health checks ARC owns for the plan's DNS step (ListRoute53HealthChecksInRegion).
 * Every call takes the command's AbortSignal; each is bounded by the client's own deadline.
 */
export interface ExecutionView {
  executionId: string;
  /** The Region it ran in: the Region it activates or deactivates. */
  region: string;
  mode: string;
  action: string;
  state: string;
  startTime: string;
  endTime: string | null;
  comment: string | null;
  /** Its steps, or why they could not be read. */
  steps: Array<Pick<StepState, 'name' | 'status'>> | { unread: string };
}

export interface RegionSwitchView {
  planName: string;
  planArn: string;
  /** The plan's execution in progress, as the plan reports it. */
  activeExecution: string | null;
  /** null: the plan has no execution in the Regions that answered. */
  latestExecution: ExecutionView | null;
  /** Regions whose executions were listed; the others are named in `notListed` with why. */
  listedIn: string[];
  notListed: string[];
}

export interface EvaluationView {
  region: string;
  state: string;
  lastEvaluationTime: string | null;
  warnings: string[];
}

/**
 * The plan's Route 53 health checks (ARC creates and owns them; the public failover records use them), as one
 * Region's data plane reported them.
 */
export interface HealthChecksView {
  /** The Region whose data plane answered. */
  readFrom: string;
  /** One entry per health check, in the order of the plan's Regions. */
  healthChecks: Array<{
    region: string;
    /** null: ARC reported the health check without an id (not created yet). */
    healthCheckId: string | null;
    /** As ARC reports it; `not reported` when the answer carried no status. */
    status: string;
    recordName: string;
    hostedZoneId: string;
  }>;
}

const why = (r: PromiseSettledResult<unknown>): string =>
  r.status === 'rejected'
    ? r.reason instanceof Error
      ? `${r.reason.name}: ${r.reason.message}`
      : String(r.reason)
    : '';

/** How long the other Region's answer is waited for once one Region has answered. */
export const SECOND_REGION_GRACE_MS = 2000;

type Settled<T> =
  { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown } | { status: 'pending' };

/**
 * Settles every work, but stops waiting `graceMs` after the first success (`done` may end the wait at once):
 * a Region that stalls must not hold back what the other Region already said.
 */
function settleWithGrace<T>(
  works: Array<Promise<T>>,
  graceMs: number,
  done?: (v: T) => boolean,
): Promise<Settled<T>[]> {
  const out: Settled<T>[] = works.map(() => ({ status: 'pending' }));
  return new Promise((resolve) => {
    let left = works.length;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      resolve(out.map((x) => ({ ...x })));
    };
    works.forEach((w, i) =>
      w
        .then(
          (value) => {
            out[i] = { status: 'fulfilled', value };
            if (done?.(value)) return finish();
            timer ??= setTimeout(finish, graceMs);
          },
          (reason: unknown) => {
            out[i] = { status: 'rejected', reason };
          },
        )
        .finally(() => {
          if (--left === 0) finish();
        }),
    );
    if (works.length === 0) finish();
  });
}

/**
 * The plan named `planName`, or null when a Region answered without it (a plan is listed in each of its
 * Regions, so one answer is enough); throws when no Region answered.
 */
export async function findPlanIn(
  arc: ArcClient,
  regions: readonly string[],
  planName: string,
  signal?: AbortSignal,
): Promise<PlanSummary | null> {
  const lists = await settleWithGrace(
    regions.map((r) => arc.listPlansInRegion(r, signal)),
    SECOND_REGION_GRACE_MS,
    (plans) => plans.some((p) => p.name === planName),
  );
  const answered = lists.flatMap((l) => (l.status === 'fulfilled' ? [l.value] : []));
  if (answered.length === 0) throw (lists.find((l) => l.status === 'rejected') as { reason: unknown }).reason;
  return answered.flat().find((p) => p.name === planName) ?? null;
}

export async function regionSwitchView(
  arc: ArcClient,
  plan: PlanSummary,
  regions: readonly string[],
  signal?: AbortSignal,
): Promise<RegionSwitchView> {
  const lists = await Promise.allSettled(regions.map((r) => arc.listPlanExecutions(r, plan.arn, 5, signal)));
  if (lists.every((l) => l.status === 'rejected')) throw (lists[0] as PromiseRejectedResult).reason;
  const listedIn = regions.filter((_, i) => lists[i]?.status === 'fulfilled');
  const notListed = regions.flatMap((r, i) =>
    lists[i]?.status === 'rejected' ? [`${r}: ${why(lists[i])}`] : [],
  );
  const all: ExecutionSummary[] = lists.flatMap((l) => (l.status === 'fulfilled' ? l.value : []));
  const latest = all.sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime))[0];
  let latestExecution: ExecutionView | null = null;
  if (latest) {
    let steps: ExecutionView['steps'];
    try {
      const e = await arc.getPlanExecution(
        latest.executionRegion,
        { planArn: plan.arn, executionId: latest.executionId },
        signal,
      );
      steps = e.stepStates.map((s) => ({ name: s.name, status: s.status }));
    } catch (err) {
      steps = { unread: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    latestExecution = {
      executionId: latest.executionId,
      region: latest.executionRegion,
      mode: latest.mode,
      action: latest.executionAction,
      state: latest.executionState,
      startTime: latest.startTime,
      endTime: latest.endTime ?? null,
      comment: latest.comment ?? null,
      steps,
    };
  }
  return {
    planName: plan.name,
    planArn: plan.arn,
    activeExecution: plan.activePlanExecution ?? null,
    latestExecution,
    listedIn,
    notListed,
  };
}

/** How long the first Region is given before the next one is asked as well. */
export const HEALTH_CHECK_HEDGE_MS = SECOND_REGION_GRACE_MS;

/**
 * The plan's health checks from the first Region of `regions` that answers them, asked in that order: the next
 * Region is asked when the one before it failed, or has not answered within HEALTH_CHECK_HEDGE_MS (a stalled
 * Region must not use up the status budget). Every Region lists the whole plan's health checks, so one answer
 * is enough. Throws when no Region answered: an error the service answered before a transport failure.
 */
export function healthChecksFrom(
  arc: ArcClient,
  regions: readonly string[],
  planArn: string,
  signal?: AbortSignal,
  displayOrder: readonly string[] = regions,
): Promise<HealthChecksView> {
  return new Promise((resolve, reject) => {
    const errors: unknown[] = [];
    let asked = 0;
    let settled = false;
    let failed = 0;
    let timer: NodeJS.Timeout | undefined;
    const askNext = () => {
      clearTimeout(timer);
      const region = regions[asked++];
      if (region === undefined) return;
      if (asked < regions.length) timer = setTimeout(askNext, HEALTH_CHECK_HEDGE_MS);
      arc.listRoute53HealthChecksInRegion(region, planArn, signal).then(
        (checks) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(healthChecksView(region, displayOrder, checks));
        },
        (err: unknown) => {
          errors.push(err);
          if (settled) return;
          if (++failed === regions.length) {
            settled = true;
            reject(errors.find(serviceAnswered) ?? errors[0]);
          } else if (asked === failed) askNext();
        },
      );
    };
    if (regions.length === 0) reject(new Error('no Region to ask'));
    else askNext();
  });
}

const healthChecksView = (
  readFrom: string,
  regions: readonly string[],
  checks: Route53HealthCheck[],
): HealthChecksView => {
  const order = (r: string) => (regions.includes(r) ? regions.indexOf(r) : regions.length);
  return {
    readFrom,
    healthChecks: [...checks]
      .sort((a, b) => order(a.region) - order(b.region) || a.region.localeCompare(b.region))
      .map((h) => ({
        region: h.region,
        healthCheckId: h.healthCheckId ?? null,
        status: h.status ?? 'not reported',
        recordName: h.recordName,
        hostedZoneId: h.hostedZoneId,
      })),
  };
};

export const evaluationView = (region: string, e: Evaluation): EvaluationView => ({
  region: e.region ?? region,
  state: e.evaluationState ?? 'not reported',
  lastEvaluationTime: e.lastEvaluationTime ?? null,
  warnings: e.warnings
    .filter((w) => w.warningStatus !== 'resolved')
    .map((w) => `${w.stepName ? `${w.stepName}: ` : ''}${w.warningMessage}`.slice(0, 200)),
});
