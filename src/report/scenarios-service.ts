import type { PlanFacts } from './facts';
import type { Invariant, ScenarioResult } from './model';
import { agreementInvariant, blank } from './scenarios';

/** Scenarios about the primary's functions: a flood of the open health route, a broken payment function. */
export function healthFlood(f: PlanFacts): ScenarioResult {
  const s = blank('health-flood', '/health flooded from the internet', 'no-failover');
  const h = f.health;
  const payment = h.paymentFunction;
  const own = (r: typeof h.health, who: string, other: Array<string | undefined>): Invariant => {
    const name = `${who} has its own function and reserved concurrency`;
    if (!r)
      return {
        name,
        holds: false,
        why: `${who === 'GET /health' ? '/health' : '/health/probe'} route not in the primary API`,
      };
    const fn = r.functionName ?? 'unknown function';
    if (r.functionName === payment)
      return {
        name,
        holds: false,
        why: `${r.path} is served by the payment function ${fn}: a flood throttles payments`,
      };
    if (other.includes(r.functionName))
      return {
        name,
        holds: false,
        why: `${r.path} is served by ${fn}, which also serves /health: a /health flood throttles the detectors' input`,
      };
    if (r.reservedConcurrency === undefined)
      return {
        name,
        holds: false,
        why: `${fn} has no reserved concurrency (a flood scales it into the account pool)`,
      };
    return {
      name,
      holds: true,
      why: `${r.path}: ${fn}, reserved concurrency ${r.reservedConcurrency} (its own share and its ceiling)`,
    };
  };
  s.invariants.push(
    own(h.health, 'GET /health', [payment]),
    own(h.probe, 'GET /health/probe', [payment, h.health?.functionName]),
    {
      name: 'the probe route takes signed requests only',
      holds: h.probe?.sigv4 === true && h.waf.probeRule,
      why:
        h.probe?.sigv4 !== true
          ? '/health/probe is not SigV4-only in the primary API'
          : h.waf.probeRule
            ? 'SigV4 (execute-api) and a WAF rule on /health/probe: unsigned floods never reach the function'
            : 'SigV4, but no WAF rule on /health/probe (unsigned floods reach the authorizer)',
    },
    {
      name: 'a per-IP rate rule covers /health',
      holds: h.waf.healthRateRule,
      why: h.waf.healthRateRule
        ? 'WAF rate-based rule scoped to /health'
        : 'no WAF rate-based rule scoped to /health',
    },
    agreementInvariant(f, 'the detectors use /health/probe, so a throttled /health (429) never reaches them'),
  );
  s.rtoNote = 'n/a: the payment path and the detectors\u2019 input are unaffected';
  return s;
}

export function paymentFunctionFailure(f: PlanFacts): ScenarioResult {
  const s = blank('payment-function-failure', 'Payment Lambda failing in the primary', 'no-failover');
  const probe = f.health.probe?.functionName;
  const payment = f.health.paymentFunction;
  s.invariants.push({
    name: 'a broken payment function does not start a data-loss failover',
    holds: probe !== undefined && probe !== payment,
    why:
      probe === undefined
        ? 'no /health/probe route in the primary API'
        : probe === payment
          ? `/health/probe is served by the payment function ${payment}`
          : `the detectors probe ${probe}, not ${payment}: a bad deploy of the payment function (also in the secondary) is rolled back, not failed over`,
  });
  s.rtoNote =
    'n/a from the plan: recovery is a rollback of the payment function (its Lambda error alarms page)';
  return s;
}
