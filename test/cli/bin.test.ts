import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../cli/lib/status';
import { freePort } from '../../scripts/dev/loopback-faults';

/**
 * The package's `drctl` binary as an operator runs it: `npx drctl ...` in the project directory (npm resolves
 * the project's own bin, no install), with `--json` writing the JSON document alone on stdout (no npm
 * header lines, unlike `npm run drctl --`). `--no` keeps npx from installing anything if resolution ever
 * failed. Against an endpoint that refuses connections, so nothing is read: exit 1, every field unknown.
 */
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

/**
 * An operator's shell: no AWS_PROFILE (the static test credentials are the ones found), and none of the
 * npm_* variables that npm sets for the processes it runs (CI runs this suite under `npx -c`, whose
 * npm_config_call would turn the inner npx into `npx -c` too).
 */
function operatorShell(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_PROFILE;
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key];
  return env;
}

describe('npx drctl', () => {
  it('is the package bin, launched through the precompiled entry', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ drctl: 'bin/drctl.cjs' });
    expect(readFileSync(resolve(ROOT, 'bin/drctl.cjs'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('--json status prints clean JSON on stdout and exits 1 when nothing can be read', async () => {
    const port = await freePort();
    const result = await run(
      'npx',
      [
        '--no',
        '--',
        'drctl',
        '--env',
        'dev',
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
        '--json',
        'status',
      ],
      {
        cwd: ROOT,
        env: { ...operatorShell(), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
        timeout: 60_000,
      },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err: { code?: number; stdout?: string }) => ({ code: err.code, stdout: err.stdout ?? '' }),
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.verdict).toBe('unreadable');
    expect(report.regionSwitch.state).toBe('unknown');
    expect(report.evaluation.map((e) => e.reading.state)).toEqual(['unknown', 'unknown']);
  }, 90_000);
});
