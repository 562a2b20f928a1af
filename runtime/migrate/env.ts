import { databaseVars } from '../shared/db-config';
import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';

/**
 * The environment contract of the migration function: every variable it reads, declared once.
 * src/constructs/payment-service.ts renders it, runtime/migrate/handler.ts parses it.
 */
const vars = {
  // DDL connections may take longer to open than the payment function's: 5 s to connect.
  ...databaseVars(5000),
  region: envVar.provided('AWS_REGION'),
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  /** Name or ARN of the secret holding `{"username","password"}` of the master user. */
  dbSecretArn: envVar.text('DB_SECRET_ARN'),
  /** The application role whose grants the migration makes converge. */
  appDbUser: envVar.textWithDefault('APP_DB_USER', 'payments_app'),
  /** Where the `.sql` files are; `migrations/` next to the bundle when unset. */
  migrationsDir: envVar.optionalText('MIGRATIONS_DIR'),
};

export const migrateEnv = defineEnv(vars);
export type MigrateSettings = Settings<typeof vars>;
export type MigrateEnvInput = RenderInput<typeof vars>;

export const renderMigrateEnv = (input: MigrateEnvInput): Record<string, string> => migrateEnv.render(input);
export const parseMigrateEnv = (env: Env): MigrateSettings => migrateEnv.parseVars(env);
