import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Attrs = Record<string, unknown>;
export interface StackJson {
  resource?: Record<string, Record<string, Attrs>>;
}
export type PlanStacks = Partial<Record<'global' | 'primary' | 'secondary' | 'interconnect', StackJson>>;

/** What the synthesized plan says about each recovery mechanism (absent parts are undefined / empty). */
export interface PlanFacts {
  healthCheck?: { intervalSeconds: number; failureThreshold: number; path: string };
  primaryRecord?: { healthChecked: boolean };
  secondaryRecord: boolean;
  /** True when GET /health is served by the payment function itself (a broken function fails the check). */
  healthServedByPaymentFunction: boolean;
  watchdog?: {
    intervalSeconds: number;
    consecutiveFailures: number;
    probeTimeoutSeconds: number;
    mode: string;
  };
  aurora: {
    globalCluster: boolean;
    primaryMember: boolean;
    secondaryMember: boolean;
    instancesPrimary: number;
    /** rds.global_db_rpo of the secondary's parameter group (the bound that applies after promotion too). */
    rpoBoundSeconds?: number;
  };
  dynamodb: Array<{ name: string; replicated: boolean; pitr: boolean }>;
  s3: { replicated: boolean; rtcMinutes?: number };
  lambdaSubnetsPrimary: number;
}

const list = (s: StackJson | undefined, type: string): Attrs[] => Object.values(s?.resource?.[type] ?? {});

export function readPlan(dir = 'cdktf.out'): PlanStacks {
  const stacks: PlanStacks = {};
  for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const) {
    const file = join(dir, 'stacks', id, 'cdk.tf.json');
    if (existsSync(file)) stacks[id] = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
  }
  return stacks;
}

function scheduleSeconds(expr: unknown): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(String(expr));
  if (!m) return undefined;
  return Number(m[1]) * (m[2].startsWith('hour') ? 3600 : 60);
}

export function extractFacts(p: PlanStacks): PlanFacts {
  const hc = list(p.primary, 'aws_route53_health_check')[0];
  const records = [...list(p.primary, 'aws_route53_record'), ...list(p.secondary, 'aws_route53_record')];
  const failover = (type: string) =>
    records.find((r) => (r.failover_routing_policy as Attrs | undefined)?.type === type);
  const primaryRecord = failover('PRIMARY');

  const api = list(p.primary, 'aws_api_gateway_rest_api')[0];
  let healthServedByPaymentFunction = false;
  if (api) {
    const doc = JSON.parse(String(api.body)) as { paths?: Record<string, Record<string, Attrs>> };
    const uri = (path: string, method: string) =>
      (doc.paths?.[path]?.[method]?.['x-amazon-apigateway-integration'] as Attrs | undefined)?.uri;
    healthServedByPaymentFunction =
      uri('/health', 'get') !== undefined && uri('/health', 'get') === uri('/payments', 'post');
  }

  const watchdogFn = list(p.secondary, 'aws_lambda_function').find((f) =>
    /-watchdog-/.test(String(f.function_name)),
  );
  const rule = list(p.secondary, 'aws_cloudwatch_event_rule')[0];
  const env =
    (watchdogFn?.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
  const interval = scheduleSeconds(rule?.schedule_expression);

  const clusters = (s: StackJson | undefined) =>
    list(s, 'aws_rds_cluster').filter((c) => c.global_cluster_identifier !== undefined);
  const globalCluster = list(p.global, 'aws_rds_global_cluster')[0];
  const joins = (s: StackJson | undefined) =>
    globalCluster !== undefined &&
    clusters(s).some((c) => c.global_cluster_identifier === globalCluster.global_cluster_identifier);
  const rpoParam = list(p.secondary, 'aws_rds_cluster_parameter_group')
    .flatMap((g) => (g.parameter as Array<{ name: string; value: string }> | undefined) ?? [])
    .find((x) => x.name === 'rds.global_db_rpo');

  // The primary -> secondary direction is the one on the interconnect stack's default (primary-region) provider.
  const forward = list(p.interconnect, 'aws_s3_bucket_replication_configuration').find(
    (c) => c.provider === undefined || c.provider === 'aws',
  );
  const forwardRule = (forward?.rule as Attrs[] | undefined)?.[0];
  const destination = forwardRule?.destination as Attrs | undefined;
  const rtc = destination?.replication_time as { status?: string; time?: { minutes?: number } } | undefined;

  const paymentFn = list(p.primary, 'aws_lambda_function').find((f) =>
    /-payment-api-/.test(String(f.function_name)),
  );

  return {
    ...(hc
      ? {
          healthCheck: {
            intervalSeconds: Number(hc.request_interval ?? 30),
            failureThreshold: Number(hc.failure_threshold ?? 3),
            path: String(hc.resource_path ?? '/'),
          },
        }
      : {}),
    ...(primaryRecord
      ? { primaryRecord: { healthChecked: primaryRecord.health_check_id !== undefined } }
      : {}),
    secondaryRecord: failover('SECONDARY') !== undefined,
    healthServedByPaymentFunction,
    ...(watchdogFn && interval
      ? {
          watchdog: {
            intervalSeconds: interval,
            consecutiveFailures: Number(env.FAILURE_THRESHOLD ?? 3),
            probeTimeoutSeconds: Number(env.PROBE_TIMEOUT_MS ?? 3000) / 1000,
            mode: env.FAILOVER_MODE ?? 'manual',
          },
        }
      : {}),
    aurora: {
      globalCluster: globalCluster !== undefined,
      primaryMember: joins(p.primary),
      secondaryMember: joins(p.secondary),
      instancesPrimary: list(p.primary, 'aws_rds_cluster_instance').length,
      ...(rpoParam ? { rpoBoundSeconds: Number(rpoParam.value) } : {}),
    },
    dynamodb: list(p.global, 'aws_dynamodb_table').map((t) => ({
      name: String(t.name),
      replicated: ((t.replica as Attrs[] | undefined) ?? []).length > 0,
      pitr: (t.point_in_time_recovery as Attrs | undefined)?.enabled === true,
    })),
    s3: {
      replicated: forwardRule !== undefined && forwardRule.status === 'Enabled',
      ...(rtc?.status === 'Enabled' && rtc.time?.minutes ? { rtcMinutes: rtc.time.minutes } : {}),
    },
    lambdaSubnetsPrimary:
      ((paymentFn?.vpc_config as Attrs | undefined)?.subnet_ids as unknown[] | undefined)?.length ?? 0,
  };
}
