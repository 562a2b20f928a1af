import type { PlanStacks } from '../report/facts';

type Attrs = Record<string, unknown>;

/**
 * On-demand list prices for us-east-1 and us-east-2 (identical for these items), USD, as recorded in this table
 * on PRICES_AS_OF from the AWS pricing pages. They are not fetched live: check them before budgeting.
 * A month is 730 hours.
 */
export const PRICES_AS_OF = '2026-11-22';
export const PRICES = {
  auroraServerlessAcuHour: 0.12,
  auroraStorageGbMonth: 0.1,
  auroraIoPerMillion: 0.2,
  auroraReplicatedWriteIoPerMillion: 0.2,
  interfaceEndpointAzHour: 0.01,
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
  wafPerMillionRequests: 0.6,
  alarmStandardMonth: 0.1,
  dashboardMonth: 3,
  healthCheckAwsEndpointMonth: 0.5,
  healthCheckOptionalFeatureMonth: 1,
  apiGatewayRestPerMillion: 3.5,
  lambdaGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamodbWritePerMillion: 0.625,
  dynamodbReplicatedWritePerMillion: 0.625,
  dynamodbReadPerMillion: 0.125,
  /** Standard table class, beyond the free 25 GB. */
  dynamodbStorageGbMonth: 0.25,
  s3PutPerThousand: 0.005,
  s3RtcPerGb: 0.015,
  /** us-east-1 <-> us-east-2 is half the usual inter-region rate. */
  interRegionTransferPerGb: 0.01,
} as const;

const HOURS = 730;
/** A committed reservation: ~390 bytes of attribute names and values with a 40-character key. */
export const RESERVATION_ITEM_BYTES = 400;
/** CloudWatch's free tier: the first three dashboards of an account cost nothing. */
const FREE_DASHBOARDS = 3;
const values = (p: PlanStacks, stack: keyof PlanStacks, type: string): Attrs[] =>
  Object.values(p[stack]?.resource?.[type] ?? {});
const allOf = (p: PlanStacks, type: string): Attrs[] =>
  (['global', 'primary', 'secondary', 'interconnect', 'failover'] as const).flatMap((s) =>
    values(p, s, type),
  );

/**
 * The Route 53 health checks the Region switch plan creates for its health-check steps (ARC owns them; they are
 * not resources of the plan): one per record set, shared by the workflows that name it.
 */
function planHealthChecks(p: PlanStacks): number {
  const sets = new Set<string>();
  for (const plan of allOf(p, 'aws_arcregionswitch_plan'))
    for (const w of (plan.workflow as Attrs[] | undefined) ?? [])
      for (const s of (w.step as Attrs[] | undefined) ?? [])
        for (const c of (s.route53_health_check_config as Attrs[] | undefined) ?? [])
          for (const r of (c.record_set as Attrs[] | undefined) ?? [])
            sets.add(`${String(c.record_name)}/${String(r.record_set_identifier)}`);
  return sets.size;
}

export interface CostLine {
  component: string;
  quantity: string;
  monthlyUsd: number;
  basis: string;
}

/** Fixed monthly cost of the default environment at idle, from the synthesized resources. */
export function fixedCosts(p: PlanStacks): CostLine[] {
  const instances = allOf(p, 'aws_rds_cluster_instance').length;
  const minAcu = Number(
    (allOf(p, 'aws_rds_cluster')[0]?.serverlessv2_scaling_configuration as Attrs | undefined)?.min_capacity ??
      0.5,
  );
  const endpoints = allOf(p, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface');
  const endpointAzs = endpoints.reduce(
    (a, e) => a + ((e.subnet_ids as unknown[] | undefined)?.length ?? 0),
    0,
  );
  const keys = allOf(p, 'aws_kms_key').length + allOf(p, 'aws_kms_replica_key').length;
  const secrets = allOf(p, 'aws_secretsmanager_secret').reduce(
    (a, s) => a + 1 + ((s.replica as unknown[] | undefined)?.length ?? 0),
    0,
  );
  const acls = allOf(p, 'aws_wafv2_web_acl');
  const rules = acls.reduce((a, acl) => a + ((acl.rule as unknown[] | undefined)?.length ?? 0), 0);
  const alarms = allOf(p, 'aws_cloudwatch_metric_alarm').length;
  const dashboards = allOf(p, 'aws_cloudwatch_dashboard').length;
  const checks = allOf(p, 'aws_route53_health_check');
  const planChecks = planHealthChecks(p);
  const features = checks.reduce(
    (a, c) =>
      a +
      (c.type === 'HTTPS' ? 1 : 0) +
      (Number(c.request_interval) === 10 ? 1 : 0) +
      (c.measure_latency === true ? 1 : 0),
    0,
  );
  return [
    {
      component: 'Aurora Serverless v2 (both regions)',
      quantity: `${instances} instances x ${minAcu} ACU minimum`,
      monthlyUsd: instances * minAcu * HOURS * PRICES.auroraServerlessAcuHour,
      basis: `$${PRICES.auroraServerlessAcuHour}/ACU-hour at the minimum capacity; storage and I/O are usage`,
    },
    {
      component: 'Interface VPC endpoints',
      quantity: `${endpoints.length} endpoints, ${endpointAzs} endpoint-AZs`,
      monthlyUsd: endpointAzs * HOURS * PRICES.interfaceEndpointAzHour,
      basis: `$${PRICES.interfaceEndpointAzHour}/endpoint-AZ-hour (replaces NAT gateways: no $0.045/h per gateway)`,
    },
    {
      component: 'WAF web ACLs',
      quantity: `${acls.length} ACLs, ${rules} rules`,
      monthlyUsd: acls.length * PRICES.wafWebAclMonth + rules * PRICES.wafRuleMonth,
      basis: `$${PRICES.wafWebAclMonth}/ACL + $${PRICES.wafRuleMonth}/rule or managed group`,
    },
    {
      component: 'CloudWatch alarms and dashboards',
      quantity: `${alarms} alarms, ${dashboards} dashboards`,
      monthlyUsd:
        alarms * PRICES.alarmStandardMonth +
        Math.max(0, dashboards - FREE_DASHBOARDS) * PRICES.dashboardMonth,
      basis: `$${PRICES.alarmStandardMonth}/standard alarm, $${PRICES.dashboardMonth}/dashboard beyond the account's first ${FREE_DASHBOARDS} (free)`,
    },
    {
      component: 'KMS keys',
      quantity: `${keys} keys (multi-Region primaries and replicas, the detectors' and the audit trail's)`,
      monthlyUsd: keys * PRICES.kmsKeyMonth,
      basis: `$${PRICES.kmsKeyMonth}/key-month; requests are usage (bucket keys keep them low)`,
    },
    {
      component: 'Route 53 health checks',
      quantity: `${checks.length + planChecks} check(s) (${planChecks} created by the Region switch plan), ${features} optional features`,
      monthlyUsd:
        (checks.length + planChecks) * PRICES.healthCheckAwsEndpointMonth +
        features * PRICES.healthCheckOptionalFeatureMonth,
      basis: `$${PRICES.healthCheckAwsEndpointMonth} + $${PRICES.healthCheckOptionalFeatureMonth} per feature (HTTPS, fast interval, latency); the plan's checks priced as basic ones (their type is ARC's)`,
    },
    {
      component: 'Secrets Manager',
      quantity: `${secrets} secret copies (primary + replica)`,
      monthlyUsd: secrets * PRICES.secretMonth,
      basis: `$${PRICES.secretMonth}/secret-month, a replica counts as a secret`,
    },
  ];
}

/**
 * Variable cost per one million payments. Each payment: one API call, one ~200 ms Lambda run, at most one
 * strongly consistent DynamoDB read (the write fence; fewer under load, it is cached for FENCE_CACHE_MS), three
 * writes (the key reservation, its commit, the session record), each replicated to the other replica region
 * (an MRSC witness incurs no write cost), one S3 put (and its replicated put in the other region).
 */
export function perMillionPayments(p: PlanStacks): CostLine[] {
  const fn = allOf(p, 'aws_lambda_function').find((f) => String(f.function_name).includes('-payment-api-'));
  const memGb = Number(fn?.memory_size ?? 1024) / 1024;
  const gbSeconds = 1_000_000 * 0.2 * memGb;
  return [
    {
      component: 'API Gateway REST',
      quantity: '1M requests',
      monthlyUsd: PRICES.apiGatewayRestPerMillion,
      basis: '$3.50 per million',
    },
    {
      component: 'WAF requests',
      quantity: '1M requests',
      monthlyUsd: PRICES.wafPerMillionRequests,
      basis: '$0.60 per million',
    },
    {
      component: 'Lambda (arm64)',
      quantity: `1M x 200 ms x ${memGb} GB`,
      monthlyUsd: gbSeconds * PRICES.lambdaGbSecond + PRICES.lambdaPerMillionRequests,
      basis: '$0.0000133334/GB-s + $0.20 per million',
    },
    {
      component: 'DynamoDB reads, writes + replication',
      quantity: '1M consistent reads, 3M writes + 3M replicated writes',
      monthlyUsd:
        PRICES.dynamodbReadPerMillion +
        3 * PRICES.dynamodbWritePerMillion +
        3 * PRICES.dynamodbReplicatedWritePerMillion,
      basis:
        'on-demand $0.125 per million reads, $0.625 per million writes (and per million replicated writes); MRSC priced at the same rates (assumption)',
    },
    {
      component: 'DynamoDB reservation storage (kept)',
      quantity: `1M x ~${RESERVATION_ITEM_BYTES} B in 2 replica regions, per month of payments kept`,
      monthlyUsd: ((2 * RESERVATION_ITEM_BYTES) / 1e3) * PRICES.dynamodbStorageGbMonth,
      basis: `$${PRICES.dynamodbStorageGbMonth}/GB-month; MRSC has no TTL, so each month of payments adds this for good (the witness stores nothing billable)`,
    },
    {
      component: 'Aurora I/O + replicated writes',
      quantity: '~10M I/Os + ~3M replicated write I/Os',
      monthlyUsd: 10 * PRICES.auroraIoPerMillion + 3 * PRICES.auroraReplicatedWriteIoPerMillion,
      basis: '$0.20 per million I/Os (assumption: ~10 I/Os per payment)',
    },
    {
      component: 'S3 receipts + RTC + transfer',
      quantity: '1M puts + 1M replicated puts, ~2 GB replicated',
      monthlyUsd:
        2 * 1000 * PRICES.s3PutPerThousand + 2 * (PRICES.s3RtcPerGb + PRICES.interRegionTransferPerGb),
      basis: `$0.005 per 1,000 PUTs (source and destination), $0.015/GB RTC, $${PRICES.interRegionTransferPerGb}/GB us-east-1 -> us-east-2`,
    },
  ];
}

const usd = (x: number) => `$${x.toFixed(2)}`;

export function renderCost(p: PlanStacks): string {
  const fixed = fixedCosts(p);
  const variable = perMillionPayments(p);
  const total = (xs: CostLine[]) => xs.reduce((a, x) => a + x.monthlyUsd, 0);
  const table = (xs: CostLine[]) => [
    '| component | quantity (from cdktf.out) | USD / month | basis |',
    '| --- | --- | ---: | --- |',
    ...xs.map((x) => `| ${x.component} | ${x.quantity} | ${usd(x.monthlyUsd)} | ${x.basis} |`),
    `| **total** | | **${usd(total(xs))}** | |`,
  ];
  return [
    '# Monthly cost estimate',
    '',
    `Generated by \`npm run cost\` from the synthesized default environment (cdktf.out/). Prices: AWS on-demand list prices for us-east-1/us-east-2 as recorded on ${PRICES_AS_OF} in \`src/docs/cost.ts\` (not fetched live; check them before budgeting). Taxes, support plans, data already in the account (hosted zone) and the free tier are left out.`,
    '',
    '## Fixed cost at idle (both regions)',
    '',
    ...table(fixed),
    '',
    '## Variable cost per one million payments',
    '',
    ...table(variable),
    '',
    '## Cost levers',
    '',
    '- **Aurora minimum capacity and instance count** dominate. Each Serverless v2 instance costs at least 0.5 ACU around the clock; the secondary region runs two so it can take writes at full availability after a failover. Dropping the secondary to one instance saves a quarter of the Aurora line but makes the first minutes after a failover single-instance.',
    '- **Interface endpoints** are billed per AZ: 1 endpoint (Secrets Manager, for the migration function) x 3 AZs x 2 regions. Every other AWS API the VPC functions call goes through the free S3 and DynamoDB gateway endpoints or needs no call at all (RDS IAM tokens are signed locally). Two AZs instead of three (`network.azCount`) cut this by a third.',
    '- **No NAT gateways**: one NAT gateway per AZ in both regions would cost about $197/month (6 x $0.045/hour) before any traffic; the VPC endpoints above replace them.',
    '- **Logs**: 365-day retention everywhere; storage is $0.03/GB-month and ingestion $0.50/GB, so high-volume access logs are the first usage cost to watch.',
    '- **WAF** managed rule groups are $1 each per ACL; the rate-based rule is the cheapest protection.',
    '',
  ].join('\n');
}
