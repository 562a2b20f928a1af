import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleFunction } from '../../src/bundling/bundle';

describe('Lambda bundling', () => {
  it('gives the same zip (same hash) for the same sources, wherever it is built', () => {
    const a = bundleFunction('migrate', { outDir: mkdtempSync(join(tmpdir(), 'b1-')) });
    const b = bundleFunction('migrate', { outDir: mkdtempSync(join(tmpdir(), 'b2-')) });
    expect(a.sha256).toBe(b.sha256);
    expect(a.zipBytes).toBe(b.zipBytes);
    expect(a.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
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

  it('exports a handler from each bundle', async () => {
    const out = mkdtempSync(join(tmpdir(), 'b5-'));
    const b = bundleFunction('payment-api', { outDir: out });
    const mod = (await import(join(out, 'payment-api', 'index.js'))) as {
      handler?: unknown;
      default?: { handler?: unknown };
    };
    expect(typeof (mod.handler ?? mod.default?.handler)).toBe('function');
    expect(b.rawBytes).toBeGreaterThan(1000);
  });
});
