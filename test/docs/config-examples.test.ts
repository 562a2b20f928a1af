import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DNS, parseConfig } from '../../src/config';

/**
 * The configuration snippets the deploy guide offers for `config/<suffix>.json` must be accepted by the schema as
 * they stand: a renamed or removed setting in a snippet would stop the reader's first synth.
 */
const ROOT = join(__dirname, '..', '..');

describe('configuration examples in docs/deploy.md', () => {
  it('parse with the schema, every key known', () => {
    const text = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const input = JSON.parse(block) as Record<string, unknown>;
      expect(
        () => parseConfig({ environmentSuffix: 'prod', dns: EXAMPLE_DNS, ...input }),
        block,
      ).not.toThrow();
    }
  });

  it('would catch a stale key (the schema refuses unknown settings)', () => {
    expect(() =>
      parseConfig({ environmentSuffix: 'prod', dns: EXAMPLE_DNS, failover: { watchdogProbesPerRun: 3 } }),
    ).toThrow();
  });
});
