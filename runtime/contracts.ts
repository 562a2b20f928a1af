import { alertRelayEnv, parseAlertRelayEnv } from './alert-relay/env';
import { fenceActionEnv, parseFenceActionEnv } from './fence-action/env';
import { migrateEnv, parseMigrateEnv } from './migrate/env';
import { parsePaymentApiEnv, paymentApiEnv } from './payment-api/env';
import type { Env } from './shared/env';

/**
 * Each Lambda function's environment contract, by the function ids of src/bundling/functions.ts: `parse` is
 * what its handler calls (with the cross-variable rules), `variables` the names it declares. The
 * infrastructure renders through the same modules; a test parses every synthesized function's environment
 * with the parser named here.
 */
const entry = (parse: (env: Env) => unknown, contract: { vars: Record<string, { name: string }> }) => ({
  parse,
  variables: Object.values(contract.vars).map((v) => v.name),
});

export const ENV_CONTRACTS = {
  'payment-api': entry(parsePaymentApiEnv, paymentApiEnv),
  migrate: entry(parseMigrateEnv, migrateEnv),
  'fence-action': entry(parseFenceActionEnv, fenceActionEnv),
  'alert-relay': entry(parseAlertRelayEnv, alertRelayEnv),
};

export type FunctionWithContract = keyof typeof ENV_CONTRACTS;
