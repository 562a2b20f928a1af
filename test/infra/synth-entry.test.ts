import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run synth` runs a precompiled build of bin/synth.ts (scripts/precompiled.cjs) with cdktn's creation
 * stacks off, for speed (bench/results.md). Neither may change what is written: the output must be the same
 * bytes as a tsx run with creation stacks on.
 */
const root = resolve(__dirname, '../..');

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function synth(command: string[], env: Record<string, string>): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-entry-'));
  const [bin, ...args] = command;
  const res = spawnSync(bin ?? process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, CDKTF_OUTDIR: outdir, ENVIRONMENT_SUFFIX: 'entry' },
    encoding: 'utf8',
  });
  expect(res.status, res.stderr).toBe(0);
  return files(outdir);
}

describe('the synth entry point', () => {
  it('writes the same bytes precompiled without creation stacks as through tsx with them', () => {
    const fast = synth([process.execPath, 'scripts/precompiled.cjs', 'bin/synth.ts'], {});
    const slow = synth([process.execPath, '--import', 'tsx', 'bin/synth.ts'], {
      CDKTN_DISABLE_CREATION_STACK: '0',
    });
    expect(Object.keys(fast).sort()).toEqual(Object.keys(slow).sort());
    expect(Object.keys(fast)).toContain(join('stacks', 'primary', 'cdk.tf.json'));
    for (const [name, text] of Object.entries(slow)) expect(fast[name], name).toBe(text);
  }, 120_000);

  it('records every project file the entry imports, so an edit of any of them rebuilds it', () => {
    const res = spawnSync(process.execPath, ['scripts/precompiled.cjs', 'bin/report.ts', '--help'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(res.status, res.stderr).not.toBeNull();
    const record = JSON.parse(
      readFileSync(join(root, 'dist/entries/bin__report.cjs.inputs.json'), 'utf8'),
    ) as {
      entry: string;
      inputs: Record<string, string>;
    };
    expect(record.entry).toBe('bin/report.ts');
    expect(Object.keys(record.inputs)).toEqual(
      expect.arrayContaining(['bin/report.ts', 'src/report/index.ts', 'src/report/analyze.ts']),
    );
    expect(Object.keys(record.inputs).some((f) => f.startsWith('node_modules/'))).toBe(false);
    for (const [file, hash] of Object.entries(record.inputs)) expect(hash, file).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses to run without a TypeScript entry (exit 2, one line)', () => {
    const res = spawnSync(process.execPath, ['scripts/precompiled.cjs'], { cwd: root, encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });
});
