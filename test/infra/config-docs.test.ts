import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isExampleDns, loadConfig } from '../../src/config';
import { configExample, configJsonSchema, configReadme } from '../../src/docs/config-docs';
import { drctl } from '../cli/support/cli';

/** config/: generated from the schema (npm run config-docs), loadable, complete. */
const CONFIG_DIR = resolve(__dirname, '../../config');
const read = (name: string) => readFileSync(join(CONFIG_DIR, name), 'utf8');
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('config/', () => {
  it('holds the current generated schema.json, example.json and README.md', () => {
    expect(read('schema.json')).toBe(json(configJsonSchema()));
    expect(read('example.json')).toBe(json(configExample()));
    expect(read('README.md')).toBe(configReadme());
  });

  it('example.json is a working configuration that sets every field the schema has', () => {
    const loaded = loadConfig({ env: { ENVIRONMENT_SUFFIX: 'example' }, configDir: CONFIG_DIR });
    const { $schema, ...example } = JSON.parse(read('example.json')) as Record<string, unknown>;
    expect($schema).toBe('./schema.json');
    expect(loaded).toEqual(example);
    // Walk schema and example together: every property of every object the schema declares is set.
    type Node = { properties?: Record<string, Node>; anyOf?: Node[]; oneOf?: Node[] };
    const missing: string[] = [];
    let checked = 0;
    const walk = (node: Node, value: unknown, path: string): void => {
      const variants = node.anyOf ?? node.oneOf;
      // A union (the backend): the example's variant must have all of its fields.
      const chosen = variants?.find(
        (v) =>
          v.properties?.type && JSON.stringify(v).includes(JSON.stringify((value as { type?: string }).type)),
      );
      const object = chosen ?? node;
      for (const [key, child] of Object.entries(object.properties ?? {})) {
        if (key === '$schema') continue;
        const here = path ? `${path}.${key}` : key;
        const v = (value as Record<string, unknown>)[key];
        checked++;
        if (v === undefined) missing.push(here);
        else if (child.properties || child.anyOf || child.oneOf) walk(child, v, here);
      }
    };
    walk(configJsonSchema() as Node, example, '');
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    expect(isExampleDns(loaded)).toBe(true);
  });

  it('a file may name its JSON Schema; any other unknown key is refused', () => {
    expect(() =>
      loadConfig({
        env: { ENVIRONMENT_SUFFIX: 'example', PAYMENTS_DR_CONFIG: join(CONFIG_DIR, 'example.json') },
      }),
    ).not.toThrow();
  });

  it('drctl refuses the deployed-API commands with the example configuration', async () => {
    const r = await drctl([
      '--config',
      join(CONFIG_DIR, 'example.json'),
      '--env',
      'example',
      'failback',
      '--yes',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([
      expect.stringMatching(/failback refused: the configuration names the example DNS zone/),
    ]);
  });
});
