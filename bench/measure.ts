import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

export interface SynthRun {
  /** What was run, as shown in the results table. */
  label: string;
  runs: number;
  medianWallMs: number;
  peakRssMiB: number;
}

export interface SynthResult {
  /** `npm run synth` with the precompiled entry and the Lambda bundles cached (the everyday case). */
  warm: SynthRun;
  /** `npm run synth` after deleting the precompiled entry and every cached bundle. */
  cold: SynthRun;
  /** The way synth ran before: tsx transpiling every module, creation stacks recorded (for comparison). */
  tsx: SynthRun;
  resources: number;
}

const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs `command` `runs` times (after one warm-up run) in a fresh outdir each; `before` runs before each run. */
function timeRuns(
  label: string,
  command: string[],
  runs: number,
  options: { env?: Record<string, string>; before?: () => void } = {},
): { run: SynthRun; outdir: string } {
  const walls: number[] = [];
  const rss: number[] = [];
  let outdir = '';
  for (let i = 0; i <= runs; i++) {
    options.before?.();
    outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
    const env = { ...process.env, ...options.env, CDKTF_OUTDIR: outdir };
    const [bin, ...args] = command;
    const started = process.hrtime.bigint();
    const res = TIME_BIN
      ? spawnSync(TIME_BIN, ['-f', '%M', bin, ...args], { env, encoding: 'utf8' })
      : spawnSync(bin, args, { env, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 0) throw new Error(`${label} failed: ${res.stderr}`);
    if (i === 0) continue; // warm-up
    walls.push(wall);
    // GNU time reports the largest resident set of the process tree it waited for (npm's node child included).
    if (TIME_BIN) rss.push(Number(res.stderr.trim().split('\n').pop()) / 1024);
  }
  const peakRssMiB = rss.length ? Math.max(...rss) : NaN;
  return { run: { label, runs, medianWallMs: median(walls), peakRssMiB }, outdir };
}

/** Deletes what makes a synth warm: the precompiled synth entry and the cached Lambda bundles. */
function dropSynthCaches(): void {
  rmSync(join('dist', 'lambda'), { recursive: true, force: true });
  for (const f of ['bin__synth.cjs', 'bin__synth.cjs.inputs.json'])
    rmSync(join('dist', 'entries', f), { force: true });
}

/** Median of `runs` synths each way (see SynthResult), with the peak memory of each. */
export function measureSynth(runs = 5): SynthResult {
  const npm = ['npm', 'run', '-s', 'synth'];
  const cold = timeRuns('`npm run synth`, nothing cached', npm, runs, { before: dropSynthCaches });
  const warm = timeRuns('`npm run synth`, entry and bundles cached', npm, runs);
  const tsx = timeRuns(
    '`node --import tsx bin/synth.ts` with creation stacks (before)',
    [process.execPath, '--import', 'tsx', 'bin/synth.ts'],
    runs,
    { env: { CDKTN_DISABLE_CREATION_STACK: '0' } },
  );
  let resources = 0;
  for (const id of readdirSync(join(warm.outdir, 'stacks'))) {
    const json = JSON.parse(readFileSync(join(warm.outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    for (const byName of Object.values(json.resource ?? {})) resources += Object.keys(byName).length;
  }
  return { warm: warm.run, cold: cold.run, tsx: tsx.run, resources };
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
