import { AWS_TIMINGS } from './aws-timings';
import type { PlanFacts } from './facts';

export interface Policy {
  /** The requirement (original specification). */
  requirement: { rpoSeconds: number; rtoSeconds: number };
  /** The project's own stricter targets. */
  targets: { rtoSeconds: number; ledgerRpoSeconds: number };
  /** Assumed time for an operator to act on a page in `manual` mode (an assumption, not a measurement). */
  manualResponseSeconds: number;
}

export const DEFAULT_POLICY: Policy = {
  requirement: { rpoSeconds: 15 * 60, rtoSeconds: 30 * 60 },
  targets: { rtoSeconds: 5 * 60, ledgerRpoSeconds: 1 },
  manualResponseSeconds: 15 * 60,
};

export interface Term {
  name: string;
  seconds: number;
  source: string;
}

export interface StoreRpo {
  store: 'ledger (Aurora)' | 'DynamoDB' | 'receipts (S3)';
  /** Typical data loss. */
  expectedSeconds: number | null;
  /** Worst case guaranteed by configuration or SLA; null when nothing bounds it. */
  boundSeconds: number | null;
  source: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  recoverable: boolean;
  /** Why it is not recoverable (missing components), empty when it is. */
  missing: string[];
  rtoTerms: Term[];
  rtoSeconds: number | null;
  rpo: StoreRpo[];
  breaches: string[];
}

export interface Report {
  policy: Policy;
  scenarios: ScenarioResult[];
  ok: boolean;
}

const T = AWS_TIMINGS;

function trafficTerms(f: PlanFacts): Term[] {
  const hc = f.healthCheck;
  if (!hc) return [];
  return [
    {
      name: 'Route 53 detects the failing primary /health (interval x failure threshold)',
      seconds: hc.intervalSeconds * hc.failureThreshold,
      source: `aws_route53_health_check: request_interval=${hc.intervalSeconds}, failure_threshold=${hc.failureThreshold}`,
    },
    {
      name: 'resolvers drop the cached PRIMARY answer (alias TTL)',
      seconds: T.aliasTtl.seconds,
      source: T.aliasTtl.source,
    },
  ];
}

function databaseTerms(f: PlanFacts, policy: Policy): Term[] {
  const w = f.watchdog;
  if (!w) return [];
  const terms: Term[] = [
    {
      name: 'watchdog declares the primary failed (schedule x consecutive failures + probe timeout)',
      seconds: w.intervalSeconds * w.consecutiveFailures + w.probeTimeoutSeconds,
      source: `watchdog schedule every ${w.intervalSeconds} s, FAILURE_THRESHOLD=${w.consecutiveFailures}, PROBE_TIMEOUT_MS=${w.probeTimeoutSeconds * 1000}`,
    },
  ];
  if (w.mode !== 'automatic') {
    terms.push({
      name: 'operator runs drctl failover (manual mode)',
      seconds: policy.manualResponseSeconds,
      source: 'policy.manualResponseSeconds (assumption)',
    });
  }
  terms.push(
    {
      name: 'Aurora promotes the us-east-2 cluster',
      seconds: T.auroraGlobalPromotion.seconds,
      source: T.auroraGlobalPromotion.source,
    },
    {
      name: 'Lambdas reconnect (cluster endpoint TTL)',
      seconds: T.auroraEndpointTtl.seconds,
      source: T.auroraEndpointTtl.source,
    },
  );
  return terms;
}

function regionalRpo(f: PlanFacts): StoreRpo[] {
  const tablesReplicated = f.dynamodb.length > 0 && f.dynamodb.every((t) => t.replicated);
  return [
    {
      store: 'ledger (Aurora)',
      expectedSeconds: f.aurora.secondaryMember ? T.auroraTypicalLag.seconds : null,
      boundSeconds: f.aurora.secondaryMember ? (f.aurora.rpoBoundSeconds ?? null) : null,
      source: f.aurora.rpoBoundSeconds
        ? `rds.global_db_rpo=${f.aurora.rpoBoundSeconds} (commits block beyond it); typical: ${T.auroraTypicalLag.source}`
        : `no rds.global_db_rpo: unbounded; typical: ${T.auroraTypicalLag.source}`,
    },
    {
      store: 'DynamoDB',
      expectedSeconds: tablesReplicated ? T.dynamodbTypicalLag.seconds : null,
      boundSeconds: null,
      source: `global table replicas: ${f.dynamodb.map((t) => `${t.name}=${t.replicated ? 'yes' : 'NO'}`).join(', ')}; no SLA. ${T.dynamodbTypicalLag.source}`,
    },
    {
      store: 'receipts (S3)',
      expectedSeconds: f.s3.replicated ? (f.s3.rtcMinutes ? f.s3.rtcMinutes * 60 : null) : null,
      boundSeconds: f.s3.replicated && f.s3.rtcMinutes ? f.s3.rtcMinutes * 60 : null,
      source: f.s3.rtcMinutes
        ? T.s3Rtc.source
        : 'no Replication Time Control: no bound (S3 gives no time guarantee without RTC)',
    },
  ];
}

const sum = (terms: Term[]) => terms.reduce((a, t) => a + t.seconds, 0);

/** Computes every failure scenario from the plan facts and compares it to the policy. */
export function analyze(f: PlanFacts, policy: Policy = DEFAULT_POLICY): Report {
  const scenarios: ScenarioResult[] = [];
  const regionMissing: string[] = [];
  if (!f.healthCheck || !f.primaryRecord?.healthChecked)
    regionMissing.push('Route 53 health check on the PRIMARY failover record');
  if (!f.secondaryRecord) regionMissing.push('SECONDARY failover record');
  if (!f.aurora.globalCluster || !f.aurora.secondaryMember)
    regionMissing.push('Aurora secondary cluster in the global database');
  if (!f.watchdog) regionMissing.push('database failover path (watchdog in the secondary region)');
  if (f.dynamodb.length === 0 || f.dynamodb.some((t) => !t.replicated))
    regionMissing.push('DynamoDB replica in the secondary region');
  if (!f.s3.replicated) regionMissing.push('S3 replication to the secondary region');

  const cross = (id: string, title: string, extraMissing: string[] = []): ScenarioResult => {
    const missing = [...regionMissing, ...extraMissing];
    const traffic = trafficTerms(f);
    const database = databaseTerms(f, policy);
    // Writes need both: traffic in us-east-2 and a writable us-east-2 cluster; the two chains run in parallel.
    const longer = sum(database) >= sum(traffic) ? database : traffic;
    return {
      id,
      title,
      recoverable: missing.length === 0,
      missing,
      rtoTerms: longer,
      rtoSeconds: missing.length === 0 ? Math.max(sum(traffic), sum(database)) : null,
      rpo: regionalRpo(f),
      breaches: [],
    };
  };

  scenarios.push(cross('region-loss', 'Primary region lost'));
  scenarios.push(
    cross(
      'database-loss',
      'Primary database lost (region otherwise up)',
      f.healthCheck?.path === '/health'
        ? []
        : ['a deep /health (database check) behind the Route 53 health check'],
    ),
  );
  const azMissing: string[] = [];
  if (f.lambdaSubnetsPrimary < 2) azMissing.push('payment Lambda in at least two AZs');
  const azTerm: Term =
    f.aurora.instancesPrimary >= 2
      ? { name: 'Aurora fails over to the replica in another AZ', ...T.auroraInRegionFailover }
      : { name: 'Aurora recreates the only instance', ...T.auroraRecreateInstance };
  scenarios.push({
    id: 'az-loss',
    title: 'One availability zone lost (primary region)',
    recoverable: azMissing.length === 0,
    missing: azMissing,
    rtoTerms: [azTerm],
    rtoSeconds: azMissing.length === 0 ? azTerm.seconds : null,
    rpo: [
      {
        store: 'ledger (Aurora)',
        expectedSeconds: 0,
        boundSeconds: 0,
        source: 'Aurora storage is replicated synchronously across 3 AZs',
      },
      {
        store: 'DynamoDB',
        expectedSeconds: 0,
        boundSeconds: 0,
        source: 'DynamoDB is multi-AZ within a region',
      },
      {
        store: 'receipts (S3)',
        expectedSeconds: 0,
        boundSeconds: 0,
        source: 'S3 Standard stores across at least 3 AZs',
      },
    ],
    breaches: [],
  });
  scenarios.push(
    cross(
      'payment-function-failure',
      'Payment Lambda failing in the primary',
      f.healthServedByPaymentFunction
        ? []
        : ['/health served by the payment function (otherwise the health check stays green)'],
    ),
  );

  for (const s of scenarios) {
    if (!s.recoverable) {
      s.breaches.push(`not recoverable: missing ${s.missing.join('; ')}`);
      continue;
    }
    const rto = s.rtoSeconds as number;
    if (rto > policy.requirement.rtoSeconds)
      s.breaches.push(`RTO ${rto} s > requirement ${policy.requirement.rtoSeconds} s`);
    if (rto > policy.targets.rtoSeconds)
      s.breaches.push(`RTO ${rto} s > target ${policy.targets.rtoSeconds} s`);
    for (const r of s.rpo) {
      const worst = r.boundSeconds ?? r.expectedSeconds;
      if (worst === null) s.breaches.push(`${r.store}: RPO not bounded`);
      else if (worst > policy.requirement.rpoSeconds)
        s.breaches.push(`${r.store}: RPO ${worst} s > requirement ${policy.requirement.rpoSeconds} s`);
    }
    const ledger = s.rpo.find((r) => r.store === 'ledger (Aurora)');
    if (
      ledger?.expectedSeconds !== null &&
      ledger?.expectedSeconds !== undefined &&
      ledger.expectedSeconds > policy.targets.ledgerRpoSeconds
    ) {
      s.breaches.push(`ledger RPO ${ledger.expectedSeconds} s > target ${policy.targets.ledgerRpoSeconds} s`);
    }
  }
  return { policy, scenarios, ok: scenarios.every((s) => s.breaches.length === 0) };
}
