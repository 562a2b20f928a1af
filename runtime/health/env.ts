import { poolVars } from '../shared/db-config';
import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';

/**
 * The environment contract of the two health functions, `health` (public GET /health) and `probe` (SigV4 GET
 * /health/probe): the same check, so the same variables, declared once. src/constructs/health-service.ts
 * renders it, runtime/health/deps.ts parses it.
 *
 * The database variables are the payment function's (`DB_HOST` is the region's own cluster writer endpoint, so
 * the heartbeat commits exactly where payments would), plus `DB_READER_HOST`: the cluster's reader endpoint,
 * which answers in the passive region too, where the writer endpoint is inactive (runtime/shared/writability.ts).
 */
const vars = {
  ...poolVars,
  /** The reader endpoint of the region's cluster; required unless DATABASE_URL is set. */
  dbReaderHost: envVar.optionalText('DB_READER_HOST'),
  region: envVar.provided('AWS_REGION'),
  /** Emulators only (local runs, tests): every AWS client sends there. */
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  /** The payment control table: the check reads its write-fence item (a strongly consistent GetItem). */
  controlTable: envVar.text('CONTROL_TABLE'),
  /** The receipts bucket: the check asks HeadBucket of it. */
  receiptsBucket: envVar.text('RECEIPTS_BUCKET'),
  /**
   * Overall deadline of one check. Route 53 counts a check as failed unless the 2xx arrives within 2 s of
   * connecting; API Gateway and Lambda add their own latency on top of this. The heartbeat's statement timeout
   * is what is left of it when the transaction starts. Pinned: always deployed.
   */
  healthTimeoutMs: envVar.int('HEALTH_TIMEOUT_MS', 1000, { min: 50, max: 30_000 }, { pinned: true }),
};

export const healthEnv = defineEnv(vars);
export type HealthSettings = Settings<typeof vars>;
export type HealthEnvInput = RenderInput<typeof vars>;

export const renderHealthEnv = (input: HealthEnvInput): Record<string, string> => healthEnv.render(input);

export const parseHealthEnv = (env: Env): HealthSettings => {
  const s = healthEnv.parseVars(env);
  if (s.databaseUrl === undefined && s.dbReaderHost === undefined)
    throw new Error('environment variable DB_READER_HOST is required');
  return s;
};

/** The default deadline of one check, for wiring that does not read the environment (tests, local server). */
export const DEFAULT_HEALTH_TIMEOUT_MS = vars.healthTimeoutMs.defaultValue as number;

/** HEALTH_TIMEOUT_MS alone (the local server reads nothing else of this contract). */
export const healthTimeoutFromEnv = (env: Env): number => {
  const r = healthEnv.read(env, 'healthTimeoutMs');
  if (!r.set) return DEFAULT_HEALTH_TIMEOUT_MS;
  if ('error' in r) throw new Error(r.error);
  return r.value;
};
