import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { type Zippable, zipSync } from 'fflate';
import {
  LAMBDA_FUNCTION_IDS,
  LAMBDA_FUNCTIONS,
  type LambdaBundle,
  type LambdaBundles,
  type LambdaFunctionId,
} from './functions';

/** Node.js runtime of every function; esbuild targets the same version. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
const ESBUILD_TARGET = 'node22';
/**
 * 1980-01-02 12:00 as a local time, a constant so the same code gives the same zip. Zip entries store local
 * wall-clock fields (fflate reads them with getFullYear()/getHours()...), so a local-time constant encodes the
 * same bytes in every time zone; a UTC instant would move (and fall before 1980, which fflate rejects, west of
 * UTC).
 */
const FIXED_MTIME = new Date(1980, 0, 2, 12, 0, 0);

export interface BundleOptions {
  /** Repository root (where runtime/ lives). */
  root?: string;
  /** Output folder for `<id>/index.js` and `<id>.zip`. */
  outDir?: string;
  ids?: LambdaFunctionId[];
  /** Rebuild even when a zip from the same sources exists. */
  noCache?: boolean;
}

/** Every file a bundle can depend on: the runtime sources and the locked dependency versions. */
function sourceFingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        hash.update(path.slice(root.length));
        hash.update(readFileSync(path));
      }
    }
  };
  walk(join(root, 'runtime'));
  for (const file of ['package-lock.json', 'src/bundling/bundle.ts', 'src/bundling/functions.ts']) {
    if (existsSync(join(root, file))) hash.update(readFileSync(join(root, file)));
  }
  return hash.digest('hex');
}

const fingerprints = new Map<string, string>();

/**
 * Bundles one function with esbuild (single minified CommonJS file) and zips it deterministically. A zip
 * built earlier from the same sources (same fingerprint) is reused.
 */
export function bundleFunction(id: LambdaFunctionId, options: BundleOptions = {}): LambdaBundle {
  const root = resolve(options.root ?? '.');
  const outDir = resolve(root, options.outDir ?? 'dist/lambda');
  const entry = join(root, LAMBDA_FUNCTIONS[id].entry);
  if (!existsSync(entry)) throw new Error(`Lambda entry ${LAMBDA_FUNCTIONS[id].entry} does not exist`);
  let fingerprint = fingerprints.get(root);
  if (!fingerprint) {
    fingerprint = sourceFingerprint(root);
    fingerprints.set(root, fingerprint);
  }
  const zipPath = join(outDir, `${id}.zip`);
  const keyPath = join(outDir, `${id}.fingerprint`);
  const codePath = join(outDir, id, 'index.js');
  if (!options.noCache && existsSync(zipPath) && existsSync(codePath) && existsSync(keyPath)) {
    if (readFileSync(keyPath, 'utf8') === fingerprint) {
      return describeZip(id, zipPath, readFileSync(codePath).byteLength);
    }
  }
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    // Prefer the packages' ES module builds: the AWS SDK's CommonJS builds are single files that cannot be
    // tree-shaken, so every operation of a client was bundled (RDS alone: ~200 KB). With the ES builds only the
    // commands used remain, which roughly halves the bundles and their cold import time (bench/results.md).
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // Optional native binding of pg; the pure-JS client is used.
    external: ['pg-native'],
    loader: { '.sql': 'text' },
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const code = result.outputFiles[0].contents;
  const files: Record<string, Uint8Array> = { 'index.js': code };
  const extra = (LAMBDA_FUNCTIONS[id] as { extraDir?: { from: string; to: string } }).extraDir;
  if (extra) {
    for (const name of readdirSync(join(root, extra.from)).sort()) {
      files[`${extra.to}/${name}`] = readFileSync(join(root, extra.from, name));
    }
  }
  // Entries in sorted order with a fixed time: the same sources always give the same bytes (and hash).
  const entries: Zippable = {};
  for (const name of Object.keys(files).sort())
    entries[name] = [files[name], { mtime: FIXED_MTIME, level: 9 }];
  const zip = zipSync(entries, { mtime: FIXED_MTIME });
  const dir = join(outDir, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), code);
  writeFileSync(zipPath, zip);
  writeFileSync(keyPath, fingerprint);
  return {
    id,
    zipPath,
    sha256: createHash('sha256').update(zip).digest('base64'),
    rawBytes: code.byteLength,
    zipBytes: zip.byteLength,
  };
}

/** Bundles every function (or `ids`). */
export function bundleAll(options: BundleOptions = {}): LambdaBundles {
  const ids = options.ids ?? LAMBDA_FUNCTION_IDS;
  return Object.fromEntries(ids.map((id) => [id, bundleFunction(id, options)])) as LambdaBundles;
}

/** Reads a zip built earlier (for tools that only need its hash and size). */
export function describeZip(id: LambdaFunctionId, zipPath: string, rawBytes: number): LambdaBundle {
  const zip = readFileSync(zipPath);
  return {
    id,
    zipPath,
    sha256: createHash('sha256').update(zip).digest('base64'),
    rawBytes,
    zipBytes: zip.byteLength,
  };
}
