import { hostname, userInfo } from 'node:os';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type Config, ConfigError, loadConfig } from '../../src/config';
import { type Clock, systemClock } from '../../runtime/shared/clock';
import { type AwsClientFactory, type AwsClients, defaultAwsClients } from './aws';
import { OperationError, oneLine, RefusedError, UsageError } from './errors';
import { type HttpClient, nodeHttpClient } from './http';
import { type CliIo, processIo } from './io';
import { type DrNames, drNames } from './names';

/** What drctl needs from the outside world; tests replace any part of it. */
export interface CliDeps {
  io: CliIo;
  env: Readonly<Record<string, string | undefined>>;
  clients: AwsClientFactory;
  clock: Clock;
  http: HttpClient;
  /** Identifies this operator session in locks and notifications. */
  operator: string;
  random: () => number;
  /** Ends the process at once (a second Ctrl-C); process.exit unless a test replaces it. */
  exit?: (code: number) => void;
}

export function defaultCliDeps(): CliDeps {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (some containers): keep "unknown".
  }
  return {
    io: processIo(),
    env: process.env,
    clients: defaultAwsClients,
    clock: systemClock,
    http: nodeHttpClient,
    operator: `${user}@${hostname()}`,
    random: Math.random,
  };
}

export interface GlobalOptions {
  env?: string;
  config?: string;
  endpointUrl?: string;
  json?: boolean;
  yes?: boolean;
}

export interface CommandContext {
  config: Config;
  names: DrNames;
  clients: AwsClients;
  opts: GlobalOptions;
  deps: CliDeps;
  io: CliIo;
  json: boolean;
}

function validateEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint-url: ${raw} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--endpoint-url: ${raw} must be an http or https URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** Loads the configuration for `--env` / `--config` and builds the clients; configuration errors exit 2. */
export function resolveContext(opts: GlobalOptions, deps: CliDeps): CommandContext {
  const env: Record<string, string | undefined> = { ...deps.env };
  if (opts.env !== undefined) env.ENVIRONMENT_SUFFIX = opts.env;
  if (opts.config !== undefined) env.PAYMENTS_DR_CONFIG = opts.config;
  let config: Config;
  try {
    config = loadConfig({ env });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const endpoint = opts.endpointUrl !== undefined ? validateEndpoint(opts.endpointUrl) : undefined;
  return {
    config,
    names: drNames(config),
    clients: deps.clients(endpoint ? { endpoint } : {}),
    opts,
    deps,
    io: deps.io,
    json: opts.json === true,
  };
}

/**
 * Mutating commands go ahead only with `--yes` or after the operator types the environment name at a
 * terminal. Without a terminal and without `--yes` they refuse (exit 2), so a script never acts by accident;
 * `assertCanConfirm` checks that up front, before any AWS call.
 */
export function assertCanConfirm(ctx: CommandContext, action: string): void {
  if (!ctx.opts.yes && !ctx.io.interactive) {
    throw new RefusedError(`refusing to ${action} without confirmation: no terminal to ask on; pass --yes`);
  }
}

export async function confirm(ctx: CommandContext, action: string, description: string): Promise<void> {
  assertCanConfirm(ctx, action);
  if (ctx.opts.yes) return;
  const env = ctx.config.environmentSuffix;
  ctx.io.stderr.write(`${description}\n`);
  const answer = await ctx.io.prompt(`Type the environment name "${env}" to ${action}: `);
  if (answer.trim() !== env) throw new RefusedError(`${action} not confirmed; nothing was changed`);
}

/**
 * Fails early, with one line, when no credentials can be found (instead of one error per AWS call). They are
 * resolved through the secondary region by default: every command must work while the primary region is down.
 */
export async function requireCredentials(
  ctx: CommandContext,
  region: string = ctx.names.secondaryRegion,
): Promise<void> {
  try {
    await ctx.clients.credentials(region);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    throw new OperationError(
      `no usable AWS credentials (${oneLine(text)}); set AWS_PROFILE or sign in first`,
    );
  }
}

/** The caller's account and ARN through `region`'s STS, or nothing when STS does not answer. */
export async function callerIdentity(
  ctx: CommandContext,
  region: string,
): Promise<{ account?: string; arn?: string }> {
  try {
    const out = await ctx.clients.sts(region).send(new GetCallerIdentityCommand({}));
    return { account: out.Account, arn: out.Arn };
  } catch {
    return {};
  }
}
