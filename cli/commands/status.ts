import { type CommandContext, requireCredentials } from '../lib/context';
import { EXIT_DEGRADED, EXIT_FAILED, EXIT_OK, UsageError } from '../lib/errors';
import { duration, table } from '../lib/format';
import { type Reading, renderReading, valueOf } from '../lib/reading';
import { collectStatus, type Lag, type StatusReport, type StatusVerdict } from '../lib/status';

/**
 * `drctl status`: both regions at a glance, within STATUS_BUDGET_MS. Every field is printed as a fact,
 * `unknown (why)` or `error (what)`. Exit codes: 0 everything read and nothing needs attention, 3 degraded (a
 * field could not be read, or something needs attention; the reasons are printed), 1 nothing could be read
 * (no region answered), 2 the environment does not exist (no global cluster and no Region switch plan: a
 * mistyped --env, or not deployed).
 */
export const STATUS_EXIT: Record<StatusVerdict, number> = {
  ok: EXIT_OK,
  degraded: EXIT_DEGRADED,
  unreadable: EXIT_FAILED,
};

export async function statusCommand(ctx: CommandContext): Promise<number> {
  await requireCredentials(ctx);
  const report = await collectStatus(ctx.clients, ctx.names, {
    now: ctx.deps.clock.now(),
    failoverMode: ctx.config.failover.mode,
    progress: (line) => ctx.io.stderr.write(`${line}\n`),
  });
  if (
    report.missing.some((m) => m.startsWith('global cluster')) &&
    report.missing.some((m) => m.startsWith('region switch plan'))
  ) {
    throw new UsageError(
      `environment "${report.environment}" not found: ${report.missing.join(' and ')} do not exist; check --env and --config (or deploy it)`,
    );
  }
  ctx.io.stdout.write(ctx.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report)}\n`);
  return STATUS_EXIT[report.verdict];
}

const lag = (l: Reading<Lag>): string =>
  renderReading(l, (v) => (v.valueMs === null ? 'no data' : duration(v.valueMs)));
const short = (r: Reading<unknown>): string => (r.state === 'known' ? '' : r.state);

export function renderStatus(r: StatusReport): string {
  const out: string[] = [];
  const verdict =
    r.verdict === 'ok'
      ? 'OK'
      : `${r.verdict === 'degraded' ? 'DEGRADED' : 'UNREADABLE'} (${r.degradedReasons.join('; ')})`;
  out.push(`Environment ${r.environment}  ${r.generatedAt}  failover mode ${r.failoverMode}  ${verdict}`);
  if (r.missing.length > 0) out.push(`Not found: ${r.missing.join(', ')}`);
  out.push('');

  const g = r.globalCluster;
  if (g.state === 'known') {
    const v = g.value;
    out.push(
      `Global database ${v.id}: ${v.status ?? 'unknown'}${v.failoverInProgress ? `, ${v.failoverInProgress.status} in progress` : ''} (seen from ${v.observedFrom.join(', ')}${v.disagreement ? '; REGIONS DISAGREE' : ''})`,
    );
    out.push(
      table(
        ['  ROLE', 'CLUSTER', 'REGION', 'SYNC'],
        v.members.map((m) => [`  ${m.role}`, m.clusterId, m.region, m.synchronization ?? '-']),
      ),
    );
  } else {
    out.push(`Global database: ${renderReading(g, () => '')}`);
  }
  out.push('');

  out.push(...renderHealthChecks(r));
  out.push('');

  out.push(
    table(
      ['REGION', 'ROLE', 'APIS', 'ALARMS'],
      r.regions.map((x) => [
        x.region,
        x.role,
        !x.reachable
          ? 'UNREACHABLE'
          : x.topology.state === 'known' && x.alarms.state === 'known'
            ? 'reachable'
            : 'partial',
        x.alarms.state === 'known' ? String(x.alarms.value.length) : x.alarms.state,
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['REPLICATION', 'AURORA', 'DYNAMODB IDEMPOTENCY', 'DYNAMODB SESSIONS', 'S3 RECEIPTS'],
      r.replication.map((x) => [
        `${x.from} -> ${x.to}`,
        x.aurora.state === 'known' ? lag(x.aurora) : short(x.aurora),
        x.dynamodb.state === 'known'
          ? lag({ state: 'known', value: x.dynamodb.value.idempotency })
          : short(x.dynamodb),
        x.dynamodb.state === 'known'
          ? lag({ state: 'known', value: x.dynamodb.value.sessions })
          : short(x.dynamodb),
        x.s3.state === 'known' ? lag(x.s3) : short(x.s3),
      ]),
    ),
  );

  const alarms = r.regions.flatMap((x) =>
    (x.alarms.state === 'known' ? x.alarms.value : []).map((a) => ({ region: x.region, ...a })),
  );
  if (alarms.length > 0) {
    out.push('');
    out.push('Alarms in ALARM:');
    out.push(
      table(
        ['  REGION', 'ALARM', 'SINCE'],
        alarms.map((a) => [`  ${a.region}`, a.name, a.since ?? '-']),
      ),
    );
  }

  out.push('');
  out.push(...renderRegionSwitch(r));

  const notRead: Array<[string, Reading<unknown>]> = [
    ['account id (STS)', r.accountId] as [string, Reading<unknown>],
    ...r.regions.flatMap((x): Array<[string, Reading<unknown>]> => [
      [`${x.region} aurora topology`, x.topology],
      [`${x.region} alarms`, x.alarms],
    ]),
    ...r.replication.flatMap((x): Array<[string, Reading<unknown>]> => [
      [`${x.from} -> ${x.to} aurora lag`, x.aurora],
      [`${x.from} -> ${x.to} dynamodb lag`, x.dynamodb],
      [`${x.from} -> ${x.to} s3 lag`, x.s3],
    ]),
    ['dns health checks', r.healthChecks] as [string, Reading<unknown>],
    ['region switch plan', r.regionSwitch] as [string, Reading<unknown>],
    ...r.evaluation.map((e): [string, Reading<unknown>] => [`${e.region} plan evaluation`, e.reading]),
  ].filter(([, x]) => x.state !== 'known');
  if (notRead.length > 0) {
    out.push('');
    out.push('Could not read:');
    for (const [label, x] of notRead) out.push(`  ${label}: ${renderReading(x, () => '')}`);
  }
  return out.join('\n');
}

/**
 * The Route 53 health checks of the public failover records, owned by the Region switch plan: per Region its
 * id and the status ARC reports, or why they could not be read.
 */
function renderHealthChecks(r: StatusReport): string[] {
  const v = valueOf(r.healthChecks);
  if (!v)
    return [
      `DNS health checks (owned by the Region switch plan): ${renderReading(r.healthChecks, () => 'no plan to ask')}`,
    ];
  if (v.healthChecks.length === 0)
    return [`DNS health checks (owned by the Region switch plan, read in ${v.readFrom}): none reported`];
  return [
    `DNS health checks (owned by the Region switch plan, read in ${v.readFrom}):`,
    table(
      ['  REGION', 'HEALTH CHECK', 'STATUS', 'RECORD'],
      v.healthChecks.map((h) => [`  ${h.region}`, h.healthCheckId ?? 'not created', h.status, h.recordName]),
    ),
  ];
}

/** The Region switch plan, its latest execution with its steps, and each Region's plan evaluation. */
function renderRegionSwitch(r: StatusReport): string[] {
  const out: string[] = [];
  out.push(
    `Region switch plan: ${renderReading(r.regionSwitch, (v) =>
      v
        ? `${v.planName} (${v.planArn})${v.activeExecution ? `, execution ${v.activeExecution} in progress` : ''}`
        : 'not found (no plan with this environment\u2019s name)',
    )}`,
  );
  const v = valueOf(r.regionSwitch);
  const e = v?.latestExecution;
  if (v && !e) out.push(`Latest execution: none (listed in ${v.listedIn.join(', ')})`);
  if (e) {
    out.push(
      `Latest execution: ${e.executionId} ${e.mode} ${e.action} ${e.region}: ${e.state}, started ${e.startTime}${e.endTime ? `, ended ${e.endTime}` : ''}${e.comment ? ` (${e.comment})` : ''}`,
    );
    if ('unread' in e.steps) out.push(`  steps: unknown (${e.steps.unread})`);
    else if (e.steps.length > 0)
      out.push(
        table(
          ['  STEP', 'STATUS'],
          e.steps.map((x) => [`  ${x.name}`, x.status]),
        ),
      );
  }
  for (const n of v?.notListed ?? []) out.push(`  executions not listed in ${n}`);
  out.push(
    `Plan evaluation: ${r.evaluation
      .map(
        (x) =>
          `${x.region} ${renderReading(x.reading, (ev) =>
            ev
              ? `${ev.state}${ev.lastEvaluationTime ? ` at ${ev.lastEvaluationTime}` : ''}${ev.warnings.length ? ` (${ev.warnings.length} warning(s): ${ev.warnings.join('; ')})` : ''}`
              : 'no plan',
          )}`,
      )
      .join('; ')}`,
  );
  return out;
}
