import { type CommandContext, requireCredentials } from '../lib/context';
import { EXIT_DEGRADED, EXIT_FAILED, EXIT_OK, UsageError } from '../lib/errors';
import { duration, table } from '../lib/format';
import { type Reading, renderReading } from '../lib/reading';
import { collectStatus, type Lag, type StatusReport, type StatusVerdict } from '../lib/status';

/**
 * `drctl status`: both regions at a glance, within STATUS_BUDGET_MS. Every field is printed as a fact,
 * `unknown (why)` or `error (what)`. Exit codes: 0 everything read and nothing needs attention, 3 degraded (a
 * field could not be read, or something needs attention; the reasons are printed), 1 nothing could be read
 * (no region answered), 2 the environment does not exist (no global cluster and no state table: a mistyped
 * --env, or not deployed).
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
    report.missing.some((m) => m.startsWith('state table'))
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

  out.push(
    `Route 53 primary health check: ${renderReading(r.healthCheck, (h) =>
      h
        ? `${h.name} (${h.id}): ${h.effectiveHealthy ? 'HEALTHY' : 'UNHEALTHY'}, ${h.checkersHealthy}/${h.checkersTotal} checkers see ${h.fqdn ?? 'the endpoint'} healthy${h.inverted ? ', INVERTED' : ''}`
        : 'not found (no health check with its Name tag)',
    )}`,
  );
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
  out.push(
    `Watchdog: ${renderReading(r.watchdog, (w) =>
      w
        ? `${w.phase}${w.flapping ? ' (flapping)' : ''}, ${w.consecutiveFailures} consecutive failures, last probe ${
            w.lastProbe
              ? `${w.lastProbe.ok ? 'ok' : `failed (${w.lastProbe.reason ?? '?'})`} at ${w.lastProbe.at}`
              : 'none'
          }${w.lastDeclaredAt ? `, last declared ${w.lastDeclaredAt}` : ''}${
            w.handover ? `, automatic failover ${w.handover.status}` : ''
          }${w.pendingAlerts > 0 ? `, ${w.pendingAlerts} alert(s) not yet published` : ''}`
        : 'no state recorded yet',
    )}`,
  );
  out.push(
    `Orchestration lock: ${renderReading(r.lock, (l) =>
      l ? `held by ${l.owner} (${l.operation}) until ${l.leaseExpiresAt}` : 'free',
    )}`,
  );
  out.push(
    `Last orchestration: ${renderReading(r.lastOrchestration, (last) =>
      last
        ? `${String(last.action)} ${String(last.outcome)} at ${String(last.finishedAt)} (${duration(Number(last.elapsedMs))}) by ${String(last.requestedBy)}`
        : 'none recorded',
    )}`,
  );

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
  ].filter(([, x]) => x.state !== 'known');
  if (notRead.length > 0) {
    out.push('');
    out.push('Could not read:');
    for (const [label, x] of notRead) out.push(`  ${label}: ${renderReading(x, () => '')}`);
  }
  return out.join('\n');
}
