import { type CommandContext, requireCredentials } from '../lib/context';
import { duration, table } from '../lib/format';
import { collectStatus, type Lag, type StatusReport } from '../lib/status';

/**
 * `drctl status`: both regions at a glance. Always exits 0 when it could print a report, even a degraded one
 * (a region down is exactly when operators need it); `degraded` and the per-region `reachable` flags say what
 * could not be read.
 */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  await requireCredentials(ctx);
  const report = await collectStatus(ctx.clients, ctx.names, {
    now: ctx.deps.clock.now(),
    failoverMode: ctx.config.failover.mode,
  });
  ctx.io.stdout.write(ctx.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report)}\n`);
  return 0;
}

const lag = (l: Lag | null | undefined): string => {
  if (l === null || l === undefined) return 'unknown';
  return l.valueMs === null ? 'no data' : duration(l.valueMs);
};

export function renderStatus(r: StatusReport): string {
  const out: string[] = [];
  out.push(
    `Environment ${r.environment}  ${r.generatedAt}  failover mode ${r.failoverMode}  ${
      r.degraded ? `DEGRADED (${r.degradedReasons.join('; ')})` : 'OK'
    }`,
  );
  out.push('');

  const g = r.globalCluster;
  if (g) {
    out.push(
      `Global database ${g.id}: ${g.status ?? 'unknown'}${g.failoverInProgress ? `, ${g.failoverInProgress.status} in progress` : ''} (seen from ${g.observedFrom.join(', ')}${g.disagreement ? '; REGIONS DISAGREE' : ''})`,
    );
    out.push(
      table(
        ['  ROLE', 'CLUSTER', 'REGION', 'SYNC'],
        g.members.map((m) => [`  ${m.role}`, m.clusterId, m.region, m.synchronization ?? '-']),
      ),
    );
  } else {
    out.push('Global database: unknown (could not be read in either region)');
  }
  out.push('');

  const h = r.healthCheck;
  out.push(
    h
      ? `Route 53 primary health check ${h.name} (${h.id}): ${h.effectiveHealthy ? 'HEALTHY' : 'UNHEALTHY'}, ${h.checkersHealthy}/${h.checkersTotal} checkers see ${h.fqdn ?? 'the endpoint'} healthy${h.inverted ? ', INVERTED' : ''}`
      : `Route 53 primary health check: ${r.errors.some((e) => e.check.startsWith('route53')) ? 'unknown (API error)' : 'not found'}`,
  );
  out.push('');

  out.push(
    table(
      ['REGION', 'ROLE', 'APIS', 'ALARMS'],
      r.regions.map((x) => [
        x.region,
        x.role,
        x.reachable ? (x.errors.length > 0 ? 'partial' : 'reachable') : 'UNREACHABLE',
        x.alarms === null ? 'unknown' : String(x.alarms.length),
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['REPLICATION', 'AURORA', 'DYNAMODB IDEMPOTENCY', 'DYNAMODB SESSIONS', 'S3 RECEIPTS'],
      r.replication.map((x) => [
        `${x.from} -> ${x.to}`,
        lag(x.aurora),
        lag(x.dynamodb?.idempotency),
        lag(x.dynamodb?.sessions),
        lag(x.s3),
      ]),
    ),
  );

  const alarms = r.regions.flatMap((x) => (x.alarms ?? []).map((a) => ({ region: x.region, ...a })));
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
  const w = r.watchdog;
  out.push(
    w
      ? `Watchdog: ${w.phase}${w.flapping ? ' (flapping)' : ''}, ${w.consecutiveFailures} consecutive failures, last probe ${
          w.lastProbe
            ? `${w.lastProbe.ok ? 'ok' : `failed (${w.lastProbe.reason ?? '?'})`} at ${w.lastProbe.at}`
            : 'none'
        }${w.lastDeclaredAt ? `, last declared ${w.lastDeclaredAt}` : ''}${
          w.handover ? `, automatic failover ${w.handover.status}` : ''
        }${w.pendingAlerts > 0 ? `, ${w.pendingAlerts} alert(s) not yet published` : ''}`
      : 'Watchdog: no state recorded',
  );
  out.push(
    r.lock
      ? `Orchestration lock: held by ${r.lock.owner} (${r.lock.operation}) until ${r.lock.leaseExpiresAt}`
      : 'Orchestration lock: free',
  );
  const last = r.lastOrchestration;
  if (last) {
    out.push(
      `Last orchestration: ${String(last.action)} ${String(last.outcome)} at ${String(last.finishedAt)} (${duration(Number(last.elapsedMs))}) by ${String(last.requestedBy)}`,
    );
  }

  const errors = [
    ...r.errors,
    ...r.regions.flatMap((x) => x.errors.map((e) => ({ check: `${x.region} ${e.check}`, error: e.error }))),
  ];
  if (errors.length > 0) {
    out.push('');
    out.push('Could not read:');
    for (const e of errors) out.push(`  ${e.check}: ${e.error}`);
  }
  return out.join('\n');
}
