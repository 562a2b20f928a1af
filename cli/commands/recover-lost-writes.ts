import { readFileSync } from 'node:fs';
import type { DBCluster, DBClusterSnapshot } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Region } from '../../src/config';
import { arn } from '../../src/grants';
import {
  type RecoveryReport,
  RecoveryRefusedError,
  recoverLostWrites,
} from '../../runtime/recovery/lost-writes';
import {
  deleteTemporaryCluster,
  describeCluster,
  describeSnapshot,
  findFailoverSnapshot,
  keepSnapshot,
  type RestoreNames,
  restoreTemporaryCluster,
  snapshotStamp,
} from '../../runtime/recovery/snapshot-restore';
import { BUDGETS, secretsManagerClient } from '../../runtime/shared/aws-clients';
import { createPgDatabase, type Database } from '../../runtime/shared/db';
import { createFenceGuard } from '../../runtime/shared/fence';
import { assertCanConfirm, type CommandContext, confirm, requireCredentials } from '../lib/context';
import { EXIT_FAILED, EXIT_OK, OperationError, RefusedError, UsageError } from '../lib/errors';
import { table } from '../lib/format';

/**
 * `drctl recover-lost-writes`: after an unplanned failover, finds the payments the old primary committed that
 * the promoted ledger lost, and records them again under their original ids (docs/runbooks/lost-write-recovery.md).
 *
 * 1. In the old primary's region (once it answers again): the newest `rds:unplanned-global-failover-<cluster>-*`
 *    snapshot (or `--snapshot`), copied to a manual snapshot that is kept.
 * 2. The copy restored to a temporary cluster with one Serverless v2 instance, in the old cluster's subnets.
 * 3. The diff-and-re-record core (runtime/recovery/lost-writes.ts) between that ledger and the promoted one,
 *    with the key reservations; `--dry-run` only reports.
 * 4. The temporary cluster deleted (unless `--keep-cluster`), the report printed.
 * Every step reuses what an interrupted run left, so running it again is safe. Exit 0 when everything lost was
 * recovered, 1 when something needs an operator (conflicts, unrecoverable, incomplete, or a failed step).
 */
export interface RecoverLostWritesOptions {
  fromRegion?: string;
  snapshot?: string;
  dryRun?: boolean;
  keepCluster?: boolean;
  sourceUrl?: string;
  targetUrl?: string;
  caBundle?: string;
  since?: string;
  timeout: number;
  reservationScan?: boolean;
}

/** What tests replace: how databases are opened, Secrets Manager, the poll interval. */
export interface RecoverLostWritesDeps {
  connect?: (target: ConnectTarget) => Database;
  secretsManager?: (region: string) => SecretsManagerClient;
  pollMs?: number;
}

export type ConnectTarget =
  | { url: string }
  | { host: string; port: number; database: string; user: string; password: string; ca?: string };

const POLL_MS = 15_000;

function defaultConnect(t: ConnectTarget): Database {
  const common = { max: 2, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 };
  if ('url' in t) return createPgDatabase({ connectionString: t.url, ...common });
  return createPgDatabase({
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    password: t.password,
    // Verified TLS: the RDS CAs from --ca-bundle, or the ones NODE_EXTRA_CA_CERTS adds to Node's store.
    ssl: { rejectUnauthorized: true, ...(t.ca ? { ca: t.ca } : {}) },
    ...common,
  });
}

function parseOptions(ctx: CommandContext, o: RecoverLostWritesOptions) {
  const { primaryRegion, secondaryRegion } = ctx.names;
  const from = (o.fromRegion ?? primaryRegion) as Region;
  if (from !== primaryRegion && from !== secondaryRegion)
    throw new UsageError(`--from-region must be ${primaryRegion} or ${secondaryRegion}, got ${from}`);
  const to = (from === primaryRegion ? secondaryRegion : primaryRegion) as Region;
  let since: Date | undefined;
  if (o.since !== undefined) {
    since = new Date(o.since);
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since: ${o.since} is not an ISO 8601 time`);
  }
  let ca: string | undefined;
  if (o.caBundle !== undefined) {
    try {
      ca = readFileSync(o.caBundle, 'utf8');
    } catch (err) {
      throw new UsageError(`--ca-bundle: cannot read ${o.caBundle} (${(err as Error).message})`);
    }
  }
  return { from, to, since, ca };
}

async function masterPassword(
  ctx: CommandContext,
  d: RecoverLostWritesDeps,
  region: string,
): Promise<string> {
  const sm =
    d.secretsManager?.(region) ??
    secretsManagerClient(BUDGETS.operator, {
      region,
      ...(ctx.clients.endpoint ? { endpoint: ctx.clients.endpoint } : {}),
    });
  const out = await sm.send(new GetSecretValueCommand({ SecretId: ctx.names.dbSecretName }));
  const parsed = JSON.parse(out.SecretString ?? '{}') as { password?: unknown };
  if (typeof parsed.password !== 'string')
    throw new OperationError(`secret ${ctx.names.dbSecretName} has no password`);
  return parsed.password;
}

function render(
  ctx: CommandContext,
  r: RecoveryReport,
  s: { snapshot: string; copy: string; cluster: string; kept: boolean },
) {
  const out = [
    `lost-write recovery${r.dryRun ? ' (dry run: nothing written)' : ''}: ${s.snapshot} -> manual snapshot ${s.copy} (kept) -> temporary cluster ${s.cluster} (${s.kept ? 'kept' : 'deleted'})`,
    `compared ${r.scanned} payments: ${r.present} already in the promoted ledger, ${r.rerecorded.length} ${r.dryRun ? 'to re-record' : 're-recorded'}, ${r.conflicts.length} conflicts, ${r.incomplete.length} incomplete; ${r.reservationsScanned} reservations scanned, ${r.unrecoverable.length} unrecoverable`,
  ];
  const payments = (rows: typeof r.rerecorded, extra?: (i: number) => string) =>
    table(
      ['  ID', 'MERCHANT', 'KEY', 'AMOUNT', 'CURRENCY', 'CREATED', 'REGION', ...(extra ? ['WHY'] : [])],
      rows.map((p, i) => [
        `  ${p.id}`,
        p.merchantId,
        p.idempotencyKey,
        String(p.amount),
        p.currency,
        p.createdAt,
        p.region,
        ...(extra ? [extra(i)] : []),
      ]),
    );
  if (r.rerecorded.length > 0)
    out.push(r.dryRun ? 'would re-record:' : 're-recorded:', payments(r.rerecorded));
  if (r.conflicts.length > 0)
    out.push(
      'conflicts (left alone; decide by hand):',
      payments(r.conflicts, (i) => r.conflicts[i]?.reason ?? ''),
    );
  if (r.incomplete.length > 0)
    out.push(
      'incomplete (recorded; the scheduled reconcile or a rerun completes them):',
      ...r.incomplete.map((x) => `  ${x.id}: ${x.components.join(', ')}`),
    );
  if (r.unrecoverable.length > 0)
    out.push(
      'unrecoverable (answered 201, in neither ledger):',
      ...r.unrecoverable.map(
        (u) =>
          `  ${u.paymentId} ${u.reservation}${u.amount !== undefined ? ` ${u.amount} ${u.currency ?? ''}` : ''}`,
      ),
    );
  ctx.io.stdout.write(`${out.join('\n')}\n`);
}

export async function recoverLostWritesCommand(
  ctx: CommandContext,
  o: RecoverLostWritesOptions,
  d: RecoverLostWritesDeps = {},
): Promise<number> {
  const { from, to, since, ca } = parseOptions(ctx, o);
  const names = ctx.names;
  assertCanConfirm(ctx, 'recover lost writes');
  await requireCredentials(ctx, to);
  const progress = (line: string) => ctx.io.stderr.write(`${line}\n`);
  const rds = ctx.clients.rds(from);
  const oldCluster = names.clusterId(from);

  const source: DBClusterSnapshot | undefined = o.snapshot
    ? await describeSnapshot(rds, o.snapshot)
    : await findFailoverSnapshot(rds, oldCluster);
  if (!source?.DBClusterSnapshotIdentifier)
    throw new OperationError(
      o.snapshot
        ? `snapshot ${o.snapshot} not found in ${from}`
        : `no available ${names.failoverSnapshotPrefix(from)}* snapshot in ${from}: Aurora only attempts it (see docs/runbooks/lost-write-recovery.md, "No snapshot")`,
    );
  const restore: RestoreNames = {
    oldClusterId: oldCluster,
    snapshotCopyId: `${names.lostWritesSnapshotPrefix(from)}-${snapshotStamp(source.SnapshotCreateTime ?? new Date(ctx.deps.clock.now()))}`,
    tempClusterId: names.recoveryClusterId(from),
    tempInstanceId: names.recoveryInstanceId(from),
  };
  await confirm(
    ctx,
    'recover lost writes',
    `lost-write recovery for ${names.globalClusterId}: copy ${source.DBClusterSnapshotIdentifier} to ${restore.snapshotCopyId}, restore it to ${restore.tempClusterId} in ${from}, ${o.dryRun ? 'compare it with' : 're-record what is missing into'} the ${to} ledger${o.keepCluster ? '' : ', then delete the temporary cluster'}.`,
  );

  const wait = { clock: ctx.deps.clock, timeoutMs: o.timeout * 1000, pollMs: d.pollMs ?? POLL_MS, progress };
  const copy = await keepSnapshot(rds, source, restore, wait);
  const connect = d.connect ?? defaultConnect;
  const open: Database[] = [];
  let report: RecoveryReport | undefined;
  try {
    const temp: DBCluster = await restoreTemporaryCluster(rds, copy, restore, wait);
    const password = o.sourceUrl && o.targetUrl ? '' : await masterPassword(ctx, d, to);
    const endpoint = async (cluster: DBCluster | undefined, what: string) => {
      if (!cluster?.Endpoint) throw new OperationError(`${what} has no endpoint`);
      return { host: cluster.Endpoint, port: cluster.Port ?? 5432 };
    };
    const login = {
      database: names.databaseName,
      user: names.masterUsername,
      password,
      ...(ca ? { ca } : {}),
    };
    const sourceDb = connect(
      o.sourceUrl ? { url: o.sourceUrl } : { ...(await endpoint(temp, restore.tempClusterId)), ...login },
    );
    open.push(sourceDb);
    const promoted = o.targetUrl
      ? undefined
      : await describeCluster(ctx.clients.rds(to), names.clusterId(to));
    const targetDb = connect(
      o.targetUrl ? { url: o.targetUrl } : { ...(await endpoint(promoted, names.clusterId(to))), ...login },
    );
    open.push(targetDb);
    const account = (await ctx.clients.sts(to).send(new GetCallerIdentityCommand({}))).Account;
    if (!account) throw new OperationError('STS returned no account id');
    const ddb = ctx.clients.ddb(to);
    report = await recoverLostWrites(
      {
        source: sourceDb,
        target: targetDb,
        targets: {
          ddb,
          s3: ctx.clients.s3(to),
          controlTable: names.paymentControlTable,
          sessionsTable: names.sessionsTable,
          receiptsBucket: names.receiptsBucket(to, account),
          receiptsKmsKeyArn: arn.kmsAlias(to, account, names.keyAlias.data),
        },
        fence: createFenceGuard({ ddb, table: names.paymentControlTable, region: to, cacheMs: 0 }),
        region: to,
        now: () => new Date(ctx.deps.clock.now()),
        progress,
      },
      {
        dryRun: o.dryRun === true,
        ...(since ? { since } : {}),
        scanReservations: o.reservationScan !== false,
      },
    );
  } catch (err) {
    if (err instanceof RecoveryRefusedError) throw new RefusedError(err.message);
    throw err;
  } finally {
    await Promise.all(open.map((db) => db.close().catch(() => undefined)));
    if (!o.keepCluster) {
      progress(`deleting the temporary cluster ${restore.tempClusterId}`);
      await deleteTemporaryCluster(rds, restore);
    }
  }

  const summary = {
    snapshot: source.DBClusterSnapshotIdentifier,
    copy: restore.snapshotCopyId,
    cluster: restore.tempClusterId,
    kept: o.keepCluster === true,
  };
  if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ ...summary, report }, null, 2)}\n`);
  else render(ctx, report, summary);
  const clean =
    report.conflicts.length === 0 && report.unrecoverable.length === 0 && report.incomplete.length === 0;
  return clean ? EXIT_OK : EXIT_FAILED;
}
