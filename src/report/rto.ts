import { AWS_TIMINGS } from './aws-timings';
import type { PlanFacts } from './facts';
import { type Chain, chain, sum, type Term } from './model';
import { ASSUMPTION_TEXT, type Policy } from './policy';

const T = AWS_TIMINGS;

/** How a failover execution starts: the plan's trigger, or an operator after the page. */
export type Start = 'trigger' | 'operator';

export interface FailoverPath {
  chains: Chain[];
  missing: string[];
  unknown: string[];
  /** Longest successful execution before ARC fails it (step timeouts); null when a timeout is unknown. */
  planBoundSeconds: number | null;
  start: Start;
}

/**
 * The detection terms, in series: N agreeing 60 s periods of both vantage points, the start jitter of the run
 * that first sees the failure, that run's probe time limit, and the alarm's evaluation. Best case: the failure
 * begins just before a run, so its period is the first of the N and nothing else waits.
 */
function detectionTerms(f: PlanFacts, policy: Policy): Term[] {
  const d = f.detection;
  const rule = d.agreement;
  if (!rule) return [];
  const vantage = d.detectors.filter((x) => rule.vantages.includes(x.region));
  const timeouts = vantage.map((x) => x.probeTimeoutSeconds);
  const known = timeouts.filter((t): t is number => t !== undefined);
  // A detector without a readable time limit is already named in detection.unknown.
  const timeout = known.length > 0 && known.length === timeouts.length ? Math.max(...known) : undefined;
  const alarm = d.primaryFailed?.name ?? '';
  const terms: Term[] = [
    {
      name: `both vantage points (${rule.vantages.join(', ')}) see the primary failed for ${rule.periods} consecutive ${rule.periodSeconds} s periods`,
      seconds: rule.periods * rule.periodSeconds,
      bestSeconds: (rule.periods - 1) * rule.periodSeconds,
      source: `alarm ${alarm}: every vantage >= 1, evaluation_periods=${rule.periods} of ${rule.periods}, period ${rule.periodSeconds} s`,
    },
    {
      name: 'EventBridge starts the detector run that first sees the failure',
      seconds: T.eventBridgeStart.seconds,
      bestSeconds: T.eventBridgeStart.best,
      source: T.eventBridgeStart.source,
    },
  ];
  if (timeout !== undefined)
    terms.push({
      name: 'the failing probe runs into its time limit before the run publishes',
      seconds: timeout,
      bestSeconds: 0,
      source: `detector ${vantage.map((x) => x.functionName).join(', ')} probe time limit (a refused or 503 probe fails at once)`,
    });
  terms.push({
    name: 'CloudWatch evaluates the agreement alarm',
    seconds: policy.assumptions.alarmEvaluationSeconds,
    bestSeconds: 0,
    source: ASSUMPTION_TEXT.alarmEvaluationSeconds,
  });
  return terms;
}

/** The trigger must be exactly: agreement alarm red AND secondary health alarm green. */
function triggerProblems(f: PlanFacts): string[] {
  const plan = f.engine.plan;
  const t = plan?.trigger;
  if (!plan || !t) return [];
  const keyOf = (name: string | undefined) => plan.alarms.find((a) => a.alarmName === name)?.key;
  const failedKey = keyOf(f.detection.primaryFailed?.name);
  const healthyKey = keyOf(f.detection.secondaryUnhealthy?.name);
  const has = (key: string | undefined, condition: string) =>
    key !== undefined && t.conditions.some((c) => c.alarmKey === key && c.condition === condition);
  const problems: string[] = [];
  if (!has(failedKey, 'red'))
    problems.push(
      `a trigger condition "agreement alarm is red" (${f.detection.primaryFailed?.name ?? 'alarm not in the plan'})`,
    );
  if (!has(healthyKey, 'green'))
    problems.push(
      `a trigger condition "secondary health alarm is green" (${f.detection.secondaryUnhealthy?.name ?? 'alarm not in the plan'})`,
    );
  if (t.conditions.length !== 2)
    problems.push(`exactly those two trigger conditions (found ${t.conditions.length})`);
  return problems;
}

/**
 * The plan's path to a writable secondary that receives the traffic, in series where ARC runs it in series:
 * detection, start (trigger or operator), [approval], fence, Aurora failover; then, in parallel, the DNS step with
 * propagation and TTL (traffic) and the reconnect to the promoted writer (writes).
 */
export function failoverPath(f: PlanFacts, policy: Policy, start: Start, detected = true): FailoverPath {
  const missing: string[] = [...f.engine.missing];
  const unknown: string[] = [];
  const e = f.engine;
  // `pre`: until the execution starts; `steps`: the plan's steps before the DNS step, in series.
  const pre: Term[] = [];
  const steps: Term[] = [];
  if (detected) {
    missing.push(...f.detection.missing);
    unknown.push(...f.detection.unknown);
    pre.push(...detectionTerms(f, policy));
  }
  if (start === 'trigger') {
    missing.push(...triggerProblems(f));
    pre.push({
      name: 'ARC starts the ungraceful execution on its trigger',
      seconds: policy.assumptions.triggerSeconds,
      bestSeconds: 0,
      source: ASSUMPTION_TEXT.triggerSeconds,
    });
  } else {
    pre.push({
      name: 'an operator starts the ungraceful execution (drctl failover --allow-data-loss)',
      seconds: policy.manualResponseSeconds,
      bestSeconds: policy.manualResponseSeconds,
      source: 'policy.manualResponseSeconds (assumption)',
    });
  }
  if (e.approval) {
    if (e.approval.timeoutMinutes === undefined) unknown.push('the approval step\u2019s timeout_minutes');
    else
      steps.push({
        name: 'an operator approves the data-loss step (past its timeout the execution fails)',
        seconds: e.approval.timeoutMinutes * 60,
        bestSeconds: 0,
        source: `plan step approval: timeout_minutes=${e.approval.timeoutMinutes} (the worst case that still recovers)`,
      });
  }
  if (e.fence) {
    if (e.fence.lambdaTimeoutSeconds === undefined) unknown.push('the fence function\u2019s timeout');
    else
      steps.push({
        name: `the fence step makes ${e.plan?.secondaryRegion ?? 'the secondary'} the active region`,
        seconds: e.fence.lambdaTimeoutSeconds,
        bestSeconds: 0,
        source: `${e.fence.functionName} timeout=${e.fence.lambdaTimeoutSeconds} s (one invocation ends within it; a retry adds retry_interval_minutes=${e.fence.retryIntervalMinutes ?? '?'})`,
      });
  }
  if (e.database) {
    const measured = policy.auroraPromotionSeconds;
    steps.push({
      name: 'Aurora fails the global database over to the secondary (AllowDataLoss)',
      seconds: measured ?? T.auroraGlobalFailover.seconds,
      bestSeconds: measured ?? T.auroraGlobalFailover.best,
      source:
        measured !== undefined
          ? 'policy.auroraPromotionSeconds (measured failovers)'
          : T.auroraGlobalFailover.source,
    });
  }
  const dns: Term[] = [
    {
      name: 'the plan\u2019s Route 53 step sets its health checks (secondary healthy, primary unhealthy)',
      seconds: policy.assumptions.dnsStepSeconds,
      bestSeconds: 0,
      source: ASSUMPTION_TEXT.dnsStepSeconds,
    },
    {
      name: 'Route 53 answers SECONDARY from the new health-check state',
      seconds: policy.assumptions.healthCheckPropagationSeconds,
      bestSeconds: 0,
      source: ASSUMPTION_TEXT.healthCheckPropagationSeconds,
    },
    {
      name: 'resolvers drop the cached PRIMARY answer (alias TTL)',
      seconds: T.aliasTtl.seconds,
      bestSeconds: T.aliasTtl.best,
      source: T.aliasTtl.source,
    },
  ];
  const reconnect: Term = {
    name: 'the secondary\u2019s functions reach the promoted writer (cluster endpoint TTL)',
    seconds: T.auroraEndpointTtl.seconds,
    bestSeconds: T.auroraEndpointTtl.best,
    source: T.auroraEndpointTtl.source,
  };
  const serial = [...pre, ...steps];
  const chains = [
    chain('traffic', 'traffic answered by the secondary', [...serial, ...dns], unknown),
    chain('writes', 'writes accepted by the secondary', [...serial, reconnect], unknown),
  ];
  // Past a step's timeout_minutes ARC fails the execution: the sum bounds every execution that recovers.
  const timeouts = [
    ...(e.approval ? [e.approval.timeoutMinutes] : []),
    e.fence?.timeoutMinutes,
    e.database?.timeoutMinutes,
    e.dns?.timeoutMinutes,
  ];
  const stepsKnown = timeouts.every((t): t is number => t !== undefined);
  const planBoundSeconds =
    stepsKnown && unknown.length === 0 && missing.length === 0
      ? sum(pre) + timeouts.reduce((a, t) => a + t * 60, 0) + sum(dns.slice(1))
      : null;
  return { chains, missing, unknown, planBoundSeconds, start };
}
