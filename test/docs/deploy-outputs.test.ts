import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_ORDER } from '../../src/app';
import { synthAll } from '../support/synth';

/** The outputs table of docs/deploy.md ("Reading outputs") must be what each stack synthesizes. */
describe('docs/deploy.md outputs table', () => {
  it('lists exactly the outputs of each stack', () => {
    const doc = readFileSync(resolve(__dirname, '../../docs/deploy.md'), 'utf8');
    const rows = new Map<string, string[]>();
    for (const m of doc.matchAll(/^\| `([a-z]+)` +\| (.+) \|$/gm)) {
      rows.set(
        m[1] as string,
        [...(m[2] as string).matchAll(/`([a-z0-9_]+)`/g)].map((n) => n[1] as string),
      );
    }
    const stacks = synthAll();
    for (const id of STACK_ORDER) {
      expect(rows.get(id), id).toEqual(Object.keys(stacks[id].output ?? {}).sort());
    }
  });
});
