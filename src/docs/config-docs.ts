import { z } from 'zod';
import { configSchema, EXAMPLE_DNS, ENV_MAP, parseConfig } from '../config';

/**
 * The configuration's documentation, generated from the zod schema (src/config/schema.ts) so it cannot
 * drift: a JSON Schema for editors (config/schema.json), an example with every field (config/example.json)
 * and the field reference (config/README.md). `npm run config-docs` writes them; CI checks they are current.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonSchemaNode = {
  type?: string | string[];
  description?: string;
  default?: Json;
  enum?: Json[];
  const?: Json;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  additionalProperties?: boolean | JsonSchemaNode;
  propertyNames?: JsonSchemaNode;
};

/** config/schema.json: what a configuration file may contain (input side: defaults are optional). */
export function configJsonSchema(): Record<string, Json> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-07' }) as Record<string, Json>;
  const properties = generated.properties as Record<string, Json>;
  return {
    ...generated,
    title: 'payments-dr configuration (config/<environment suffix>.json)',
    properties: {
      $schema: { type: 'string', description: 'Path of this JSON Schema, for editors; ignored by synth' },
      ...properties,
    },
  };
}

/** An input that sets every field, optional ones included, with realistic values. */
const EXAMPLE_INPUT = {
  environmentSuffix: 'example',
  dns: { zoneName: EXAMPLE_DNS.zoneName, zoneId: EXAMPLE_DNS.zoneId },
  alerts: { emails: ['payments-oncall@example.com'] },
  // Sized for merchants peaking at 10 requests/s per source address, with headroom 2 (docs/deploy.md).
  api: { wafRateLimitPer5Min: 6000 },
  // Opt-in: beyond 300 s of us-east-2 lag, every ledger commit in us-east-1 pauses (docs/runbooks/rpo-bound.md).
  database: { rpoBoundSeconds: 300 },
  network: { azIds: { 'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4'] } },
  tags: { CostCenter: 'payments' },
  // Principals of the organisation's other accounts may then be listed in operatorPrincipalArns.
  failover: { operatorOrgId: 'o-a1b2c3d4e5' },
  // Read by safety "production" only (the example keeps the default, test): the one administrator of the keys.
  keyAdminRoleArn: 'arn:aws:iam::111122223333:role/payments-key-admin',
  backend: {
    type: 's3',
    bucketPrefix: 'acme-payments-tfstate',
    kmsKeyIds: { 'us-east-1': 'alias/terraform-state', 'us-east-2': 'alias/terraform-state' },
  },
};

/** config/example.json: every field, each at its default unless the example sets it. */
export function configExample(): Record<string, unknown> {
  return { $schema: './schema.json', ...parseConfig(EXAMPLE_INPUT) };
}

function typeOf(node: JsonSchemaNode): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  const range =
    node.minimum !== undefined || node.maximum !== undefined
      ? node.maximum === undefined || node.maximum >= Number.MAX_SAFE_INTEGER
        ? ` >= ${node.minimum}`
        : ` ${node.minimum ?? ''}..${node.maximum}`
      : '';
  if (node.type === 'array')
    return `array of ${node.items ? typeOf(node.items) : 'values'}${node.maxItems ? ` (at most ${node.maxItems})` : ''}`;
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    return `map to ${typeOf(node.additionalProperties)}`;
  }
  return `${Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'value')}${range}`;
}

const envFor = (path: string): string | undefined => ENV_MAP.find((e) => e.path.join('.') === path)?.env;

function rows(node: JsonSchemaNode, prefix: string, required: Set<string>, out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (key === '$schema') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.properties) {
      out.push(`| **${path}** | object | | | ${child.description ?? ''} |`);
      rows(child, path, new Set(child.required ?? []), out);
      continue;
    }
    if (child.oneOf || (child.anyOf && child.anyOf.some((o) => o.properties))) {
      out.push(`| **${path}** | one of the variants below | | | ${child.description ?? ''} |`);
      for (const variant of child.oneOf ?? child.anyOf ?? []) {
        const tag = variant.properties?.type?.const;
        rows(variant, `${path} (type ${JSON.stringify(tag)})`, new Set(variant.required ?? []), out);
      }
      continue;
    }
    const def =
      child.default !== undefined
        ? `\`${JSON.stringify(child.default)}\``
        : required.has(key)
          ? 'required'
          : '';
    const env = envFor(path.replace(/ \(type .*\)/, ''));
    out.push(
      `| ${path} | ${typeOf(child)} | ${def} | ${env ? `\`${env}\`` : ''} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`,
    );
  }
}

/** config/README.md: how configuration is found, and every field with its type, default and variable. */
export function configReadme(): string {
  const schema = configJsonSchema() as unknown as JsonSchemaNode;
  const table: string[] = [];
  rows(schema, '', new Set(schema.required ?? []), table);
  return [
    '# Configuration',
    '',
    'Generated by `npm run config-docs` from `src/config/schema.ts` (with `schema.json` and `example.json`); CI',
    'checks the three files are current. Edit the schema, not these files.',
    '',
    'Synth, the report and drctl read, in increasing precedence: the defaults below, `config/<suffix>.json` (the',
    'suffix from `ENVIRONMENT_SUFFIX`, default `dev`; or the file named by `PAYMENTS_DR_CONFIG`), then the',
    'environment variables in the table. A file may start with `"$schema": "./schema.json"` for completion and',
    'hover help in editors. An invalid value stops synth with one line naming the field, and exit code 2.',
    '',
    `\`example.json\` sets every field (\`ENVIRONMENT_SUFFIX=example npm run synth\` uses it). Its DNS zone is the`,
    `example zone (\`${EXAMPLE_DNS.zoneId}\`), which synth warns about and drctl refuses for commands that need the`,
    'deployed API (failback, drill): put your hosted zone there before deploying.',
    '',
    '| field | type | default | variable | description |',
    '| --- | --- | --- | --- | --- |',
    ...table,
    '',
  ].join('\n');
}
