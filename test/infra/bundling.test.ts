import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../src/bundling/bundle';
import { LAMBDA_FUNCTION_IDS } from '../../src/bundling/functions';

describe('Lambda bundling', () => {
  it('gives the same zip (same hash) for the same sources, wherever it is built', () => {
    const a = bundleFunction('migrate', { outDir: mkdtempSync(join(tmpdir(), 'b1-')) });
    const b = bundleFunction('migrate', { outDir: mkdtempSync(join(tmpdir(), 'b2-')) });
    expect(a.sha256).toBe(b.sha256);
    expect(a.zipBytes).toBe(b.zipBytes);
    expect(a.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('gives the same zip in every time zone (zip entries store local time)', () => {
    const root = resolve(__dirname, '../..');
    const hashIn = (tz: string): string =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const { bundleFunction } = require('./src/bundling/bundle');` +
            `const { mkdtempSync } = require('node:fs'); const { join } = require('node:path');` +
            `const b = bundleFunction('migrate', { outDir: mkdtempSync(join(require('node:os').tmpdir(), 'tz-')), noCache: true });` +
            `process.stdout.write(b.sha256);`,
        ],
        { cwd: root, env: { ...process.env, TZ: tz }, encoding: 'utf8' },
      );
    const local = bundleFunction('migrate', { outDir: mkdtempSync(join(tmpdir(), 'tz0-')), noCache: true });
    expect(hashIn('America/Los_Angeles')).toBe(local.sha256);
    expect(hashIn('Asia/Tokyo')).toBe(local.sha256);
  });

  it('ships one index.js (and the migrations next to it for the migration function)', () => {
    const api = bundleFunction('payment-api', { outDir: mkdtempSync(join(tmpdir(), 'b3-')) });
    expect(Object.keys(unzipSync(readFileSync(api.zipPath)))).toEqual(['index.js']);
    const migrate = bundleFunction('migrate', { outDir: mkdtempSync(join(tmpdir(), 'b4-')) });
    const names = Object.keys(unzipSync(readFileSync(migrate.zipPath)));
    expect(names[0]).toBe('index.js');
    expect(names.slice(1).every((n) => /^migrations\/\d{3}_[\w-]+\.sql$/.test(n))).toBe(true);
    expect(names.length).toBeGreaterThan(1);
  });

  it('exports an async handler from each bundle, loaded on its own in a fresh Node process', () => {
    // nodejs24.x runs only async (promise-returning) handlers: "Lambda supports callback-based function handlers for
    // Node.js 22 and earlier runtimes only" (Lambda Developer Guide, Node.js handler). So each bundled handler must be
    // an async function taking at most (event, context), never a third `callback` parameter.
    const out = mkdtempSync(join(tmpdir(), 'b5-'));
    for (const id of LAMBDA_FUNCTION_IDS) {
      const b = bundleFunction(id, { outDir: out });
      const probe = `const h = require(${JSON.stringify(join(out, id, 'index.js'))}).handler;
        process.stdout.write(JSON.stringify({ type: typeof h, kind: h && h.constructor.name, params: h && h.length }))`;
      const seen = JSON.parse(
        execFileSync(process.execPath, ['-e', probe], {
          encoding: 'utf8',
          env: { ...process.env, AWS_REGION: 'us-east-1' },
        }),
      ) as { type: string; kind: string; params: number };
      expect(seen.type, id).toBe('function');
      expect(seen.kind, id).toBe('AsyncFunction');
      expect(seen.params, id).toBeLessThanOrEqual(2);
      expect(b.rawBytes, id).toBeLessThan(1_000_000);
    }
  });
});
