import { setMaxListeners } from 'node:events';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Region } from '../../src/config';
import { GlobalClusterNotFoundError, readTopology } from './topology';
import { awsErrorName } from '../../runtime/shared/aws-clients';
import type { AwsClients } from './aws';
import type { DrNames } from './names';
import { answered, type Reading, toReading, unknownField, valueOf } from './reading';
import { evaluationView, findPlanIn, healthChecksFrom, regionSwitchView } from './status-arc';
import {
  attention,
  globalClusterReading,
  type RegionStatus,
  type StatusBody,
  type StatusReport,
} from './status-report';
import { environmentAlarms, type RegionMetrics, regionMetrics } from './status-sources';

export type {
  GlobalClusterView,
  RegionStatus,
  ReplicationStatus,
  StatusReport,
  StatusVerdict,
} from './status-report';
export type { EvaluationView, ExecutionView, HealthChecksView, RegionSwitchView } from './status-arc';
export type { Lag } from './status-sources';

/**
 * `drctl status`: everything an operator needs before and during a failover, gathered from both regions in
 * parallel within one budget (STATUS_BUDGET_MS; every call is also bounded by the operator call deadline).
 * Every field is a Reading (reading.ts): a fact, `unknown` with why, or the error the service answered; a
 * region that does not answer leaves its fields unknown and the other region's view is still complete.
 *
 * The verdict: `ok` when every field is known and nothing needs attention, `degraded` (with reasons) when a
 * field could not be read or something needs attention, `unreadable` when no region answered anything.
 * `missing` lists the environment's resources the services said do not exist (a mistyped --env: all of them).
 */
export const STATUS_BUDGET_MS = 12_000;

type Outcome<T> = { value: T } | { error: unknown };
const settle = <T>(work: Promise<T>): Promise<Outcome<T>> =>
  work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
const isNotFound = (o: Outcome<unknown>): boolean =>
  'error' in o &&
  (o.error instanceof GlobalClusterNotFoundError || awsErrorName(o.error) === 'ResourceNotFoundException');

export interface CollectOptions {
  now: number;
  failoverMode: string;
  /** Overall budget (STATUS_BUDGET_MS unless a test narrows it). */
  budgetMs?: number;
  /** Told once, after PROGRESS_AFTER_MS, which reads are still outstanding. */
  progress?: (line: string) => void;
}

const PROGRESS_AFTER_MS = 3000;

export async function collectStatus(
  clients: AwsClients,
  names: DrNames,
  options: CollectOptions,
): Promise<StatusReport> {
  const budgetMs = options.budgetMs ?? STATUS_BUDGET_MS;
  const controller = new AbortController();
  // Every read in flight listens on the budget signal (dozens at once): not a leak.
  setMaxListeners(200, controller.signal);
  const budgetTimer = setTimeout(() => controller.abort(), budgetMs);
  const budget = { signal: controller.signal, ms: budgetMs };
  const signal = controller.signal;
  const pending = new Set<string>();
  const track = <T>(label: string, work: () => Promise<T>): Promise<Outcome<T>> => {
    pending.add(label);
    // A read that outlasts the budget is abandoned at once (the abort also cancels its request).
    const abandoned = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('budget spent')), { once: true }),
    );
    return settle(Promise.race([work(), abandoned])).finally(() => pending.delete(label));
  };
  const progressTimer = setTimeout(() => {
    if (pending.size > 0)
      options.progress?.(
        `status: still waiting for ${[...pending].join(', ')} (giving up after ${budgetMs / 1000} s)`,
      );
  }, PROGRESS_AFTER_MS);

  const primary = names.primaryRegion;
  const secondary = names.secondaryRegion;
  const missing: string[] = [];
  try {
    // The account id (bucket names) from whichever region's STS answers first.
    const sts = (region: Region) =>
      track(`sts ${region}`, async () => {
        const out = await clients.sts(region).send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        if (!out.Account) throw new Error('GetCallerIdentity returned no account');
        return out.Account;
      });
    const stsSecondary = sts(secondary);
    const stsPrimary = sts(primary);
    const accountOutcome = await new Promise<Outcome<string>>((resolve) => {
      let left = 2;
      for (const p of [stsSecondary, stsPrimary]) {
        void p.then((o) => {
          left--;
          if ('value' in o || left === 0) resolve(o);
        });
      }
    });
    const accountId = toReading(accountOutcome, budget);

    const perRegion = async (region: Region, role: 'primary' | 'secondary', other: Region) => {
      const [topology, metrics, alarms] = await Promise.all([
        track(`${region} aurora topology`, () =>
          readTopology(clients.rds(region), names.globalClusterId, signal),
        ),
        track(`${region} replication metrics`, () =>
          regionMetrics(clients, names, region, other, valueOf(accountId), options.now, signal),
        ),
        track(`${region} alarms`, () => environmentAlarms(clients, names, region, signal)),
      ]);
      if (isNotFound(topology)) missing.push(`global cluster ${names.globalClusterId}`);
      const readings = {
        topology: toReading(topology, budget),
        metrics: toReading(metrics, budget),
        alarms: toReading(alarms, budget),
      };
      const status: RegionStatus = {
        region,
        role,
        reachable: [readings.topology, readings.metrics, readings.alarms].some(answered),
        topology: readings.topology,
        alarms: readings.alarms,
      };
      return { status, metrics: readings.metrics };
    };
    // The Region switch plan: found by name through whichever Region answers, then its executions, the
    // evaluation of each Region and the Route 53 health checks it owns (these chains run beside the reads above).
    const arc = clients.arc(secondary);
    const regionsBoth = [secondary, primary] as const;
    const planLookup = track('region switch plan', () =>
      findPlanIn(arc, regionsBoth, names.regionSwitchPlan, signal),
    );
    const switchView = track('region switch executions', async () => {
      const found = await planLookup;
      if ('error' in found) throw found.error;
      return found.value ? regionSwitchView(arc, found.value, regionsBoth, signal) : null;
    });
    const evaluations = regionsBoth.map((region) =>
      track(`${region} plan evaluation`, async () => {
        const found = await planLookup;
        if ('error' in found) throw found.error;
        return found.value
          ? evaluationView(region, await arc.getPlanEvaluationStatus(region, found.value.arn, signal))
          : null;
      }),
    );
    // us-east-2 first, us-east-1 only if it fails or stalls: every Region lists all of the plan's health checks.
    const healthChecks = track('dns health checks', async () => {
      const found = await planLookup;
      if ('error' in found) throw found.error;
      return found.value
        ? healthChecksFrom(arc, regionsBoth, found.value.arn, signal, [primary, secondary])
        : null;
    });

    const [p, s, healthCheckOutcome, switchOutcome, ...evaluationOutcomes] = await Promise.all([
      perRegion(primary, 'primary', secondary),
      perRegion(secondary, 'secondary', primary),
      healthChecks,
      switchView,
      ...evaluations,
    ]);
    if ('value' in switchOutcome && switchOutcome.value === null)
      missing.push(`region switch plan ${names.regionSwitchPlan}`);

    const lag = <T>(
      metrics: Reading<RegionMetrics>,
      pick: (m: RegionMetrics) => T | undefined,
    ): Reading<T> => {
      if (metrics.state !== 'known') return metrics;
      const v = pick(metrics.value);
      if (v !== undefined) return { state: 'known', value: v };
      return unknownField(
        accountId.state === 'known' ? 'not reported' : 'the account id (bucket names) could not be read',
      );
    };
    const regions = [p.status, s.status];
    const body: StatusBody = {
      environment: names.environment,
      generatedAt: new Date(options.now).toISOString(),
      failoverMode: options.failoverMode,
      accountId,
      // The secondary region's view first: it is the one the failover path depends on.
      globalCluster: globalClusterReading([s.status, p.status]),
      healthChecks: toReading(healthCheckOutcome, budget),
      regions,
      replication: [
        { from: primary, to: secondary, send: p.metrics, receive: s.metrics },
        { from: secondary, to: primary, send: s.metrics, receive: p.metrics },
      ].map((d) => ({
        from: d.from,
        to: d.to,
        aurora: lag(d.receive, (m) => m.auroraIn),
        dynamodb: lag(d.send, (m) => m.dynamodbOut),
        s3: lag(d.send, (m) => m.s3Out),
      })),
      regionSwitch: toReading(switchOutcome, budget),
      evaluation: regionsBoth.map((region, i) => ({
        region,
        reading: toReading(evaluationOutcomes[i] as (typeof evaluationOutcomes)[number], budget),
      })),
    };

    const unread: string[] = [];
    for (const r of regions) {
      if (!r.reachable) unread.push(`${r.region} unreachable`);
      else {
        const failed = [
          ['aurora topology', r.topology],
          ['replication metrics', r.region === primary ? p.metrics : s.metrics],
          ['alarms', r.alarms],
        ].filter(([, x]) => (x as Reading<unknown>).state !== 'known');
        if (failed.length > 0) unread.push(`${r.region}: ${failed.map(([n]) => n).join(', ')} not read`);
      }
    }
    for (const [label, reading] of [
      ['account id', body.accountId],
      ['dns health checks', body.healthChecks],
      ['region switch plan', body.regionSwitch],
      ...body.evaluation.map((e) => [`${e.region} plan evaluation`, e.reading] as const),
    ] as const) {
      if (reading.state !== 'known') unread.push(`${label} ${reading.state}`);
    }
    const nothingAnswered =
      !regions.some((r) => r.reachable) &&
      ![body.accountId, body.healthChecks, body.regionSwitch, ...body.evaluation.map((e) => e.reading)].some(
        answered,
      );
    const degradedReasons = [...unread, ...attention(body)];
    return {
      ...body,
      verdict: nothingAnswered ? 'unreadable' : degradedReasons.length > 0 ? 'degraded' : 'ok',
      degradedReasons,
      missing: [...new Set(missing)],
    };
  } finally {
    clearTimeout(budgetTimer);
    clearTimeout(progressTimer);
    controller.abort();
  }
}
