import { poolVars } from '../shared/db-config';
import { defineEnv, type Env, type EnvVar, envVar, type RenderInput, type Settings } from '../shared/env';
import { DEFAULT_FENCE_CACHE_MS, FENCE_CACHE_MAX_MS } from '../shared/fence';
import { type MerchantDirectory, parseMerchantDirectory } from './merchants';

/**
 * MERCHANTS: the merchant directory (merchants.ts), JSON `{ "<principal ARN>": "<merchantId>" }`. Required: a
 * function without it would have no merchant to bind a caller to, so it refuses to start (fails closed) rather
 * than answer. `{}` is valid and binds nobody (every payment request is then 403 MERCHANT_NOT_BOUND).
 */
const merchantsVar: EnvVar<MerchantDirectory, 'required'> = {
  name: 'MERCHANTS',
  kind: 'required',
  pinned: false,
  defaultValue: undefined,
  parse: (raw) => {
    if (raw === undefined) throw new Error('environment variable MERCHANTS is required');
    try {
      return parseMerchantDirectory(raw);
    } catch (err) {
      throw new Error(`environment variable MERCHANTS ${(err as Error).message}`);
    }
  },
  render: (value) => JSON.stringify(value),
};

/**
 * The environment contract of the payment function (POST /payments, GET /payments/{id} and the scheduled
 * reconcile; GET /health has functions of its own, runtime/health/env.ts): every variable it reads, declared once. src/constructs/payment-service.ts renders it,
 * runtime/payment-api/deps.ts parses it.
 */
const vars = {
  ...poolVars,
  region: envVar.provided('AWS_REGION'),
  /** Emulators only (local runs, tests): every AWS client sends there. */
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  /** The payment control table: key reservations and the regional write fence (DynamoDB MRSC). */
  controlTable: envVar.text('CONTROL_TABLE'),
  sessionsTable: envVar.text('SESSIONS_TABLE'),
  receiptsBucket: envVar.text('RECEIPTS_BUCKET'),
  receiptsKmsKeyArn: envVar.text('RECEIPTS_KMS_KEY_ARN'),
  /** Which merchant each calling IAM principal acts for. */
  merchants: merchantsVar,
  /** The role of the function's region in the pair, for the operators reading its configuration. */
  role: envVar.optionalText('DR_ROLE'),
  /** How long a `SHOW transaction_read_only` answer is trusted (at most 10 s). */
  readOnlyCacheMs: envVar.int('DB_READ_ONLY_CACHE_MS', 2000, { min: 0, max: 10_000 }),
  /**
   * How long an answer of the write fence is trusted (runtime/shared/fence.ts): at most 5 s, well below the
   * failover plan's DNS step. Pinned: the plan's timing depends on it.
   */
  fenceCacheMs: envVar.int(
    'FENCE_CACHE_MS',
    DEFAULT_FENCE_CACHE_MS,
    { min: 0, max: FENCE_CACHE_MAX_MS },
    { pinned: true },
  ),
};

export const paymentApiEnv = defineEnv(vars);
export type PaymentApiSettings = Settings<typeof vars>;
export type PaymentApiEnvInput = RenderInput<typeof vars>;

export const renderPaymentApiEnv = (input: PaymentApiEnvInput): Record<string, string> =>
  paymentApiEnv.render(input);

export const parsePaymentApiEnv = (env: Env): PaymentApiSettings => paymentApiEnv.parseVars(env);
