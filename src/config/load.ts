import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { type Config, type ConfigInput, configSchema } from './schema';

/** Thrown for any invalid configuration; `message` is one line naming the field and what it accepts. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Example DNS values used only when nothing is configured, so that `npm run synth` works on a fresh clone.
 * `isExampleDns` lets the CLI warn that such a synth is not deployable.
 */
export const EXAMPLE_DNS = { zoneName: 'example.com', zoneId: 'Z0EXAMPLE00000000000' } as const;
export const isExampleDns = (c: Config): boolean => c.dns.zoneId === EXAMPLE_DNS.zoneId;

type Env = Record<string, string | undefined>;

/** Environment variables that override the JSON file, and where each lands in the config. */
export const ENV_MAP: ReadonlyArray<{ env: string; path: string[]; parse?: (v: string) => unknown }> = [
  { env: 'ENVIRONMENT_SUFFIX', path: ['environmentSuffix'] },
  { env: 'PRIMARY_REGION', path: ['regions', 'primary'] },
  { env: 'SECONDARY_REGION', path: ['regions', 'secondary'] },
  { env: 'PRIMARY_VPC_CIDR', path: ['network', 'primaryCidr'] },
  { env: 'SECONDARY_VPC_CIDR', path: ['network', 'secondaryCidr'] },
  { env: 'HOSTED_ZONE_NAME', path: ['dns', 'zoneName'] },
  { env: 'HOSTED_ZONE_ID', path: ['dns', 'zoneId'] },
  { env: 'API_LABEL', path: ['dns', 'apiLabel'] },
  { env: 'ALERT_EMAILS', path: ['alerts', 'emails'], parse: list },
  { env: 'FAILOVER_MODE', path: ['failover', 'mode'] },
  { env: 'OPERATOR_PRINCIPAL_ARNS', path: ['failover', 'operatorPrincipalArns'], parse: list },
  { env: 'OPERATOR_ORG_ID', path: ['failover', 'operatorOrgId'] },
  { env: 'STATE_BUCKET_PREFIX', path: ['backend', 'bucketPrefix'] },
];

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

const oneOf = (values: readonly unknown[]): string =>
  `must be one of ${values.map((v) => JSON.stringify(v)).join(' | ')}`;

/** Strips `.default()` / `.prefault()` / `.optional()` wrappers, which do not change the shape of a node. */
function unwrap(node: z.ZodType): z.ZodType {
  let n = node;
  while (n instanceof z.ZodDefault || n instanceof z.ZodPrefault || n instanceof z.ZodOptional)
    n = n.unwrap() as z.ZodType;
  return n;
}

/** The schema of `key` inside `node` (object property, record value, or the union option that has it). */
function childOf(node: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  if (node instanceof z.ZodObject) return (node.shape as Record<string, z.ZodType | undefined>)[String(key)];
  if (node instanceof z.ZodRecord) return node.valueType as z.ZodType;
  if (node instanceof z.ZodDiscriminatedUnion) {
    // The option that declares `key` (e.g. backend.kmsKeyIds exists on the s3 backend only).
    for (const option of node.options as z.ZodType[]) {
      const child = option instanceof z.ZodObject ? childOf(option, key) : undefined;
      if (child) return child;
    }
  }
  return undefined;
}

/**
 * The keys a strict object or an enum-keyed record at `path` of `schema` accepts (undefined when any key is
 * accepted or the path is not found), so that an "unknown key" message names what would have been accepted.
 */
function allowedKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    node = childOf(node, key);
    if (!node) return undefined;
    node = unwrap(node);
  }
  if (node instanceof z.ZodObject) return Object.keys(node.shape);
  if (node instanceof z.ZodRecord) {
    const keyType: unknown = node.keyType;
    if (keyType instanceof z.ZodEnum) return keyType.options.map(String);
  }
  return undefined;
}

/** The problem an issue describes, with the allowed values whenever the field accepts a fixed set. */
function describe(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  switch (issue.code) {
    case 'invalid_value':
      return oneOf(issue.values);
    case 'invalid_union': {
      // A discriminated union names its options; a union of literals names one value per branch.
      if ('options' in issue && issue.options && issue.options.length > 0) return oneOf(issue.options);
      const branches = issue.errors.map((e) =>
        e.length === 1 && e[0].code === 'invalid_value' ? e[0] : null,
      );
      if (branches.length > 0 && branches.every((b) => b !== null))
        return oneOf(branches.flatMap((b) => (b ? b.values : [])));
      return issue.message;
    }
    case 'invalid_key':
    case 'invalid_element':
      // The record key (or set element) itself is wrong: report why, e.g. the tag key rule.
      return issue.issues.length > 0 ? describe(issue.issues[0], schema) : issue.message;
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, issue.path);
      const known = allowed ? `; allowed: ${allowed.join(', ')}` : '';
      return `unknown key(s) ${issue.keys.join(', ')}${known}`;
    }
    default:
      return issue.message;
  }
}

/** Formats the first schema issue as `<field>: <problem>` with the allowed values when there is a set. */
export function formatIssue(error: z.ZodError, schema: z.ZodType = configSchema): string {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `invalid configuration: ${field}: ${describe(issue, schema)}${more}`;
}

/** Validates an already assembled input object. */
export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(formatIssue(result.error));
  return result.data;
}

export interface LoadOptions {
  env?: Env;
  /** Folder holding `<environmentSuffix>.json` files; defaults to ./config. */
  configDir?: string;
}

/**
 * Builds the configuration from, in increasing precedence: defaults, `config/<suffix>.json` (or the file
 * named by PAYMENTS_DR_CONFIG), then environment variables. `ENVIRONMENT_SUFFIX` defaults to `dev` and
 * the DNS zone to an example zone only when nothing sets them, for offline synth.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const suffix = env.ENVIRONMENT_SUFFIX ?? 'dev';
  const explicitFile = env.PAYMENTS_DR_CONFIG;
  const file = explicitFile
    ? resolve(explicitFile)
    : resolve(options.configDir ?? 'config', `${suffix}.json`);

  let input: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ConfigError(`invalid configuration: ${file}: the file must hold a JSON object`);
      }
      // `$schema` points editors at config/schema.json (completion, hover docs); it is not configuration.
      const { $schema: _schema, ...rest } = parsed as Record<string, unknown>;
      input = rest;
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`invalid configuration: ${file}: not valid JSON (${(e as Error).message})`);
    }
  } else if (explicitFile) {
    throw new ConfigError(`invalid configuration: PAYMENTS_DR_CONFIG: file ${file} does not exist`);
  }

  input.environmentSuffix ??= suffix;
  for (const { env: name, path, parse } of ENV_MAP) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (name === 'STATE_BUCKET_PREFIX') {
      const backend = (input.backend ?? {}) as Record<string, unknown>;
      input.backend = { ...backend, type: 's3' };
    }
    setPath(input, path, parse ? parse(raw) : raw);
  }
  const dns = (input.dns ?? {}) as Record<string, unknown>;
  input.dns = { zoneName: EXAMPLE_DNS.zoneName, zoneId: EXAMPLE_DNS.zoneId, ...dns };
  return parseConfig(input as ConfigInput);
}
