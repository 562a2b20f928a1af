import { AWS_TIMINGS } from './aws-timings';
import type { PlanFacts } from './facts';
import type { Check, StoreRpo } from './model';

/** RPO per store: what a failover loses, and what bounds it (with the availability cost of a bound). */
const T = AWS_TIMINGS;
const AURORA_DR_URL =
  'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html';
const margin = (limit: number, value: number | null) => (value === null ? null : limit - value);

function ledgerRpo(f: PlanFacts): StoreRpo {
  const param = f.aurora.rpoParameter.primary;
  const typical = f.aurora.secondaryMember ? T.auroraTypicalLag.seconds : null;
  if (!f.aurora.secondaryMember) {
    return {
      store: 'ledger (Aurora)',
      expectedSeconds: null,
      boundSeconds: null,
      basis: 'unbounded',
      source: 'no Aurora secondary cluster: nothing is replicated',
    };
  }
  const group = param.group ? ` (${param.group})` : '';
  if (f.aurora.rpoBoundSeconds !== undefined) {
    const b = f.aurora.rpoBoundSeconds;
    return {
      store: 'ledger (Aurora)',
      expectedSeconds: typical,
      boundSeconds: b,
      basis: 'configured',
      source: `rds.global_db_rpo=${b} on the primary (writer) cluster's parameter group${group}: Aurora blocks commits once every secondary lags beyond it (${AURORA_DR_URL}); availability cost: while us-east-2 lags more than ${b} s, every ledger commit in us-east-1 waits (payments answer 503) until it catches up; typical: ${T.auroraTypicalLag.source}`,
    };
  }
  if (
    param.problem === 'rds.global_db_rpo not set' ||
    param.problem?.startsWith('the cluster uses the default')
  ) {
    // Off (the default): the ledger keeps taking writes whatever the lag, so only the typical loss can be stated.
    return {
      store: 'ledger (Aurora)',
      expectedSeconds: typical,
      boundSeconds: null,
      basis: 'typical-only',
      source: `no configured bound: rds.global_db_rpo is off on the primary cluster${group} (database.rpoBoundSeconds unset), so a replication stall is lost in full by an AllowDataLoss failover; typical: ${T.auroraTypicalLag.source}`,
    };
  }
  return {
    store: 'ledger (Aurora)',
    expectedSeconds: typical,
    boundSeconds: null,
    basis: 'unbounded',
    source: `unbounded: ${param.problem ?? 'rds.global_db_rpo not set'} on the primary cluster${group}; typical: ${T.auroraTypicalLag.source}`,
  };
}

/**
 * DynamoDB as its worst table: tables with multi-Region strong consistency lose nothing acknowledged ("Item
 * changes in an MRSC global table replica are synchronously replicated to at least one other Region before the
 * write operation returns a successful response", V2globaltables_HowItWorks.html); the others replicate
 * asynchronously with no AWS bound.
 */
function dynamodbRpo(f: PlanFacts): StoreRpo {
  const tablesReplicated = f.dynamodb.length > 0 && f.dynamodb.every((t) => t.replicated);
  const allStrong = tablesReplicated && f.dynamodb.every((t) => t.strong);
  const mode = (t: PlanFacts['dynamodb'][number]) =>
    !t.replicated ? 'NO' : t.strong ? 'MRSC (synchronous, RPO 0)' : 'yes';
  const replicas = `global table replicas: ${f.dynamodb.map((t) => `${t.name}=${mode(t)}`).join(', ')}`;
  if (allStrong)
    return {
      store: 'DynamoDB',
      expectedSeconds: 0,
      boundSeconds: 0,
      basis: 'synchronous',
      source: `${replicas}; MRSC writes reach a second Region before they return`,
    };
  return {
    store: 'DynamoDB',
    expectedSeconds: tablesReplicated ? T.dynamodbTypicalLag.seconds : null,
    boundSeconds: null,
    basis: tablesReplicated ? 'no-aws-bound' : 'unbounded',
    source: `${replicas}; ${T.dynamodbTypicalLag.source}`,
  };
}

export function regionalRpo(f: PlanFacts): StoreRpo[] {
  return [
    ledgerRpo(f),
    dynamodbRpo(f),
    {
      store: 'receipts (S3)',
      expectedSeconds: f.s3.replicated ? (f.s3.rtcMinutes ? f.s3.rtcMinutes * 60 : null) : null,
      boundSeconds: f.s3.replicated && f.s3.rtcMinutes ? f.s3.rtcMinutes * 60 : null,
      basis: f.s3.replicated && f.s3.rtcMinutes ? 'configured' : 'unbounded',
      source: f.s3.rtcMinutes
        ? T.s3Rtc.source
        : 'no Replication Time Control: no bound (S3 gives no time guarantee without RTC)',
    },
  ];
}

export const azRpo: StoreRpo[] = [
  {
    store: 'ledger (Aurora)',
    expectedSeconds: 0,
    boundSeconds: 0,
    basis: 'synchronous',
    source: 'Aurora storage is replicated synchronously across 3 AZs',
  },
  {
    store: 'DynamoDB',
    expectedSeconds: 0,
    boundSeconds: 0,
    basis: 'synchronous',
    source: 'DynamoDB is multi-AZ within a region',
  },
  {
    store: 'receipts (S3)',
    expectedSeconds: 0,
    boundSeconds: 0,
    basis: 'synchronous',
    source: 'S3 Standard stores across at least 3 AZs',
  },
];

/**
 * The requirement (RPO <= 15 min) is a guarantee, so it is checked against the worst case:
 * - a configured bound (rds.global_db_rpo, S3 RTC) or a synchronous 0 is the worst case;
 * - `unbounded` breaches: nothing limits the loss (S3 without RTC, where the bound costs nothing but money; an
 *   invalid rds.global_db_rpo; no replica), so a replication stall is lost in full on an AllowDataLoss failover;
 * - `no-aws-bound` (DynamoDB global tables, which have no replication SLA, and whose only zero-loss mode, MRSC,
 *   needs three Regions) cannot be configured any better here: the typical value is used and the check is
 *   reported `met-typical` with "no AWS bound; typical used", never as a plain pass;
 * - `typical-only` (the ledger with rds.global_db_rpo off, the default) is reported the same way, `met-typical`
 *   with "no configured bound": the bound AWS offers would pause every ledger commit in the primary region while
 *   the secondary lags, and AWS advises against it on the secondary of a two-Region global database, so it is an
 *   explicit opt-in (database.rpoBoundSeconds), not a condition of the requirement.
 */
export function rpoRequirementCheck(r: StoreRpo, limit: number): Check {
  const base = { subject: `${r.store} RPO`, against: 'requirement' as const, limitSeconds: limit };
  if (r.basis === 'no-aws-bound' || r.basis === 'typical-only') {
    const v = r.expectedSeconds;
    return {
      ...base,
      valueSeconds: v,
      basis: 'typical',
      status: v !== null && v <= limit ? 'met-typical' : 'breach',
      marginSeconds: margin(limit, v),
      note:
        r.basis === 'no-aws-bound'
          ? 'no AWS bound; typical used'
          : 'no configured bound (rds.global_db_rpo off); typical used',
    };
  }
  const v = r.boundSeconds;
  return {
    ...base,
    valueSeconds: v,
    basis: 'worst-case',
    status: v !== null && v <= limit ? 'met' : 'breach',
    marginSeconds: margin(limit, v),
    ...(v === null ? { note: `unbounded: ${r.source}` } : {}),
  };
}

/**
 * The 1 s ledger target is stricter than anything Aurora can guarantee across Regions (rds.global_db_rpo
 * starts at 20 s), so it is evaluated against the typical lag and reported `met-typical`, naming the real
 * worst case. Only a worst case within the target (AZ loss: synchronous, 0) is a plain `met`.
 */
export function ledgerTargetCheck(r: StoreRpo, limit: number): Check {
  const base = { subject: `${r.store} RPO`, against: 'target' as const, limitSeconds: limit };
  if (r.boundSeconds !== null && r.boundSeconds <= limit) {
    return {
      ...base,
      valueSeconds: r.boundSeconds,
      basis: 'worst-case',
      status: 'met',
      marginSeconds: limit - r.boundSeconds,
    };
  }
  const worst =
    r.boundSeconds !== null
      ? `worst case bounded by rds.global_db_rpo = ${r.boundSeconds} s`
      : r.basis === 'typical-only'
        ? 'worst case not bounded (rds.global_db_rpo off on the primary cluster)'
        : 'worst case unbounded (no valid rds.global_db_rpo on the primary cluster)';
  const v = r.expectedSeconds;
  return {
    ...base,
    valueSeconds: v,
    basis: 'typical',
    status: v !== null && v <= limit ? 'met-typical' : 'breach',
    marginSeconds: margin(limit, v),
    note: `typical only — not guaranteed; ${worst}`,
  };
}
