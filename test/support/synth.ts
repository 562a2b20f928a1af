import { Testing } from 'cdktn';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, STACK_ORDER, type StackId } from '../../src/app';
import { bundleAll } from '../../src/bundling/bundle';
import type { LambdaBundles } from '../../src/bundling/functions';
import { type Config, type ConfigInput, parseConfig } from '../../src/config';

/** A synthesized Terraform JSON document (the parts the tests read). */
export interface TfJson {
  terraform?: {
    backend?: Record<string, Record<string, unknown>>;
    required_providers?: Record<string, unknown>;
  };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  ephemeral?: Record<string, Record<string, Record<string, unknown>>>;
}

export type Synthesized = Record<StackId, TfJson>;

export const TEST_DNS = { zoneName: 'example.com', zoneId: 'Z0TEST0000000000000' };

/** A valid configuration for tests: defaults plus `overrides`. */
export function testConfig(overrides: Partial<ConfigInput> = {}): Config {
  return parseConfig({ environmentSuffix: 'test', dns: TEST_DNS, ...overrides });
}

const cache = new Map<string, Synthesized>();
let bundles: LambdaBundles | undefined;

/** The Lambda bundles, built once per test worker into a temporary folder. */
export function testBundles(): LambdaBundles {
  bundles ??= bundleAll({ outDir: join(mkdtempSync(join(tmpdir(), 'bundles-')), 'lambda') });
  return bundles;
}

/** Synthesizes every stack of the app for `config` (memoised per config within a test file). */
export function synthAll(config: Config = testConfig()): Synthesized {
  const key = JSON.stringify(config);
  const hit = cache.get(key);
  if (hit) return hit;
  const { app, ...stacks } = buildApp(config, { outdir: Testing.app().outdir, bundles: testBundles() });
  void app;
  const out = {} as Synthesized;
  for (const id of STACK_ORDER) out[id] = JSON.parse(Testing.synth(stacks[id])) as TfJson;
  cache.set(key, out);
  return out;
}

/** All resources of `type` in a stack, as [logical name, attributes]. */
export function resources(stack: TfJson, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(stack.resource?.[type] ?? {});
}

/** The single resource of `type` whose attributes satisfy `where` (fails when not exactly one). */
export function only(
  stack: TfJson,
  type: string,
  where: (r: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const matches = resources(stack, type).filter(([, r]) => where(r));
  if (matches.length !== 1) throw new Error(`expected exactly one ${type}, found ${matches.length}`);
  return matches[0][1];
}

/** Every resource of every stack, flattened, for policy sweeps. */
export function allResources(
  s: Synthesized,
): Array<{ stack: StackId; type: string; name: string; attrs: Record<string, unknown> }> {
  const out: Array<{ stack: StackId; type: string; name: string; attrs: Record<string, unknown> }> = [];
  for (const stack of STACK_ORDER) {
    for (const [type, byName] of Object.entries(s[stack].resource ?? {})) {
      for (const [name, attrs] of Object.entries(byName)) out.push({ stack, type, name, attrs });
    }
  }
  return out;
}

/** Parses a policy attribute (a JSON string possibly holding Terraform interpolations). */
export function parsePolicy(value: unknown): { Statement: Array<Record<string, unknown>> } {
  if (typeof value !== 'string') throw new Error(`policy is not a string: ${JSON.stringify(value)}`);
  return JSON.parse(value) as { Statement: Array<Record<string, unknown>> };
}

/** The region of the provider a resource (or data source) uses in `stack`. */
export function regionOf(stack: TfJson, attrs: Record<string, unknown>): string {
  const ref = attrs.provider as string | undefined;
  const providers = stack.provider?.aws ?? [];
  const alias = ref && ref.startsWith('aws.') ? ref.slice(4) : undefined;
  const p = providers.find((x) => (alias ? x.alias === alias : x.alias === undefined));
  if (!p) throw new Error(`no aws provider for reference ${String(ref)}`);
  return String(p.region);
}
