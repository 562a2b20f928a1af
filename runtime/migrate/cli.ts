import { ensureAppRole } from '../shared/app-role';
import { createPgDatabase } from '../shared/db';
import { requireEnv } from '../shared/env';
import { defaultMigrationsDir, loadMigrations, runMigrations } from '../shared/migrations';

/**
 * `npm run migrate`: applies the migrations to DATABASE_URL. With `--app-role NAME` it also creates the
 * application role and its grants, as the migration Lambda does on Aurora. Prints a JSON summary.
 */
async function main(argv: string[]): Promise<void> {
  const roleFlag = argv.indexOf('--app-role');
  const appRole = roleFlag >= 0 ? argv[roleFlag + 1] : undefined;
  if (roleFlag >= 0 && !appRole) throw new Error('--app-role needs a role name');
  const db = createPgDatabase({ connectionString: requireEnv(process.env, 'DATABASE_URL'), max: 1 });
  try {
    const result = await runMigrations(db, loadMigrations(defaultMigrationsDir()));
    const role = appRole ? await ensureAppRole(db, appRole) : undefined;
    process.stdout.write(`${JSON.stringify({ ...result, appRole: role })}\n`);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
