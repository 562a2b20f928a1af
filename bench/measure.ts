import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleAll } from '../src/bundling/bundle';
import { LAMBDA_FUNCTION_IDS } from '../src/bundling/functions';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export interface SynthResult {
  runs: number;
  medianWallMs: number;
  peakRssMiB: number;
  resources: number;
}

/** Runs the synth command `runs` times (after one warm-up that fills the bundle cache) in a fresh outdir. */
export function measureSynth(runs = 5): SynthResult {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const walls: number[] = [];
  const rss: number[] = [];
  let outdir = '';
  for (let i = 0; i <= runs; i++) {
    outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    const args = ['--import', 'tsx', 'bin/synth.ts'];
    const started = process.hrtime.bigint();
    const res = timeBin
      ? spawnSync(timeBin, ['-f', '%M', process.execPath, ...args], {
          env: { ...process.env, CDKTF_OUTDIR: outdir },
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, args, {
          env: { ...process.env, CDKTF_OUTDIR: outdir },
          encoding: 'utf8',
        });
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 0) throw new Error(`synth failed: ${res.stderr}`);
    if (i === 0) continue; // warm-up
    walls.push(wall);
    if (timeBin) rss.push(Number(res.stderr.trim().split('\n').pop()) / 1024);
  }
  let resources = 0;
  for (const id of readdirSync(join(outdir, 'stacks'))) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    for (const byName of Object.values(json.resource ?? {})) resources += Object.keys(byName).length;
  }
  return { runs, medianWallMs: median(walls), peakRssMiB: rss.length ? Math.max(...rss) : NaN, resources };
}

export interface BundleResult {
  id: string;
  rawBytes: number;
  zipBytes: number;
  coldImportMs: number;
}

/** Builds every bundle from scratch and measures a cold `require` of each in a fresh Node process (median of 5). */
export function measureBundles(): BundleResult[] {
  const outDir = join(mkdtempSync(join(tmpdir(), 'bench-bundles-')), 'lambda');
  const bundles = bundleAll({ outDir, noCache: true });
  return LAMBDA_FUNCTION_IDS.map((id) => {
    const file = join(outDir, id, 'index.js');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const out = execFileSync(
        process.execPath,
        [
          '-e',
          `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`,
        ],
        { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } },
      );
      times.push(Number(out));
    }
    return {
      id,
      rawBytes: bundles[id].rawBytes,
      zipBytes: bundles[id].zipBytes,
      coldImportMs: median(times),
    };
  });
}
