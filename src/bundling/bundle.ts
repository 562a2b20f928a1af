import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildSync, type Metafile, version as esbuildVersion } from 'esbuild';
import { type Zippable, zipSync } from 'fflate';
import {
  LAMBDA_FUNCTION_IDS,
  LAMBDA_FUNCTIONS,
  type LambdaBundle,
  type LambdaBundles,
  type LambdaFunctionId,
} from './functions';

/**
 * Node.js runtime of every function; esbuild targets the same version. Node.js 24: Lambda's `nodejs24.x` (Amazon
 * Linux 2023) has been available since November 2025 and is supported until April 30, 2028, while `nodejs22.x`
 * follows Node.js 22's end of life to deprecation on April 30, 2027, after which updates are blocked from July 1,
 * 2027 (Lambda Developer Guide, "Building Lambda functions with Node.js", runtime table;
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html). hashicorp/aws accepts `nodejs24.x` since
 * 6.19.0 (terraform-provider-aws #44986). Node.js 24 drops callback-style handlers ("Lambda supports callback-based
 * function handlers for Node.js 22 and earlier runtimes only"): every handler here is async, which
 * test/infra/bundling.test.ts checks.
 */
export const LAMBDA_RUNTIME = 'nodejs24.x';
const ESBUILD_TARGET = 'node24';
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
  /** Output folder for `<id>/index.js`, `<id>.zip` and `<id>.inputs.json`. */
  outDir?: string;
  ids?: LambdaFunctionId[];
  /** Rebuild even when a zip from the same inputs exists. */
  noCache?: boolean;
}

/**
 * What a bundle was built from, kept beside its zip: the hash of every project file esbuild read for it
 * (from the metafile, so editing the local dev server does not rebuild the payment function) and of the files
 * shipped next to index.js, plus `key`, what every bundle depends on (locked package versions, esbuild and the
 * bundling code). Files under node_modules are covered by the lock file instead of being hashed one by one.
 */
interface BundleRecord {
  key: string;
  inputs: Record<string, string>;
  sha256: string;
  rawBytes: number;
  zipBytes: number;
}

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const hashOf = (path: string): string => (existsSync(path) ? sha256(readFileSync(path)) : 'missing');

function sharedKey(root: string): string {
  const parts = [
    hashOf(join(root, 'package-lock.json')),
    esbuildVersion,
    ESBUILD_TARGET,
    hashOf(join(root, 'src/bundling/bundle.ts')),
    hashOf(join(root, 'src/bundling/functions.ts')),
  ];
  return sha256(parts.join('|'));
}

/** Files copied next to index.js (the migrations of the migration function), relative to the root. */
function extraFiles(root: string, id: LambdaFunctionId): Array<{ from: string; to: string }> {
  const extra = (LAMBDA_FUNCTIONS[id] as { extraDir?: { from: string; to: string } }).extraDir;
  if (!extra) return [];
  return readdirSync(join(root, extra.from))
    .sort()
    .map((name) => ({ from: `${extra.from}/${name}`, to: `${extra.to}/${name}` }));
}

const paths = (root: string, outDir: string, id: LambdaFunctionId) => ({
  zip: join(outDir, `${id}.zip`),
  code: join(outDir, id, 'index.js'),
  record: join(outDir, `${id}.inputs.json`),
  entry: join(root, LAMBDA_FUNCTIONS[id].entry),
});

function cached(root: string, outDir: string, id: LambdaFunctionId, key: string): LambdaBundle | undefined {
  const p = paths(root, outDir, id);
  if (!existsSync(p.zip) || !existsSync(p.record)) return undefined;
  let record: BundleRecord;
  try {
    record = JSON.parse(readFileSync(p.record, 'utf8')) as BundleRecord;
  } catch {
    return undefined;
  }
  if (record.key !== key) return undefined;
  for (const [file, hash] of Object.entries(record.inputs)) {
    if (hashOf(join(root, file)) !== hash) return undefined;
  }
  // The zip itself could have been replaced: its hash must still be the recorded one.
  const zip = readFileSync(p.zip);
  const digest = createHash('sha256').update(zip).digest('base64');
  if (digest !== record.sha256) return undefined;
  return { id, zipPath: p.zip, sha256: digest, rawBytes: record.rawBytes, zipBytes: zip.byteLength };
}

const toMetaPath = (root: string, path: string): string => relative(root, path).split('\\').join('/');

/**
 * Every file the entry reaches through its imports. Not the output's own `inputs` list: that names only the
 * files that contributed bytes, and a module whose constants the minifier inlined contributes none.
 */
function importedFiles(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.external || seen.has(imported.path) || !(imported.path in metafile.inputs)) continue;
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return [...seen];
}

/**
 * Builds the given functions in one esbuild call (each a single minified CommonJS file) and zips each
 * deterministically.
 */
function build(root: string, outDir: string, ids: LambdaFunctionId[], key: string): LambdaBundle[] {
  for (const id of ids) {
    const entry = LAMBDA_FUNCTIONS[id].entry;
    if (!existsSync(join(root, entry))) throw new Error(`Lambda entry ${entry} does not exist`);
  }
  const result = buildSync({
    entryPoints: Object.fromEntries(ids.map((id) => [id, join(root, LAMBDA_FUNCTIONS[id].entry)])),
    outdir: join(outDir, '.build'),
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
    metafile: true,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  return ids.map((id) => {
    const outPath = join(outDir, '.build', `${id}.js`);
    const output = result.outputFiles.find((f) => f.path === outPath);
    const meta = result.metafile.outputs[toMetaPath(root, outPath)];
    if (!output || !meta?.entryPoint) throw new Error(`esbuild produced no output for ${id}`);
    const code = output.contents;
    const extras = extraFiles(root, id);
    const files: Record<string, Uint8Array> = { 'index.js': code };
    for (const f of extras) files[f.to] = readFileSync(join(root, f.from));
    // Entries in sorted order with a fixed time: the same sources always give the same bytes (and hash).
    const entries: Zippable = {};
    for (const name of Object.keys(files).sort())
      entries[name] = [files[name], { mtime: FIXED_MTIME, level: 9 }];
    const zip = zipSync(entries, { mtime: FIXED_MTIME });

    const inputs: Record<string, string> = {};
    for (const file of [
      ...importedFiles(result.metafile, meta.entryPoint),
      ...extras.map((f) => f.from),
    ].sort()) {
      if (!file.startsWith('node_modules/')) inputs[file] = hashOf(join(root, file));
    }
    const p = paths(root, outDir, id);
    mkdirSync(join(outDir, id), { recursive: true });
    writeFileSync(p.code, code);
    writeFileSync(p.zip, zip);
    const bundle: LambdaBundle = {
      id,
      zipPath: p.zip,
      sha256: createHash('sha256').update(zip).digest('base64'),
      rawBytes: code.byteLength,
      zipBytes: zip.byteLength,
    };
    const record: BundleRecord = {
      key,
      inputs,
      sha256: bundle.sha256,
      rawBytes: bundle.rawBytes,
      zipBytes: bundle.zipBytes,
    };
    writeFileSync(p.record, `${JSON.stringify(record, null, 1)}\n`);
    return bundle;
  });
}

/**
 * Bundles every function (or `ids`), reusing each zip whose recorded inputs are unchanged; the stale ones are
 * built together in one esbuild call.
 */
export function bundleAll(options: BundleOptions = {}): LambdaBundles {
  const root = resolve(options.root ?? '.');
  const outDir = resolve(root, options.outDir ?? 'dist/lambda');
  const ids = options.ids ?? LAMBDA_FUNCTION_IDS;
  const key = sharedKey(root);
  const bundles = new Map<LambdaFunctionId, LambdaBundle>();
  const stale: LambdaFunctionId[] = [];
  for (const id of ids) {
    const hit = options.noCache ? undefined : cached(root, outDir, id, key);
    if (hit) bundles.set(id, hit);
    else stale.push(id);
  }
  if (stale.length > 0) for (const b of build(root, outDir, stale, key)) bundles.set(b.id, b);
  return Object.fromEntries(ids.map((id) => [id, bundles.get(id)])) as LambdaBundles;
}

/** Bundles one function (see bundleAll). */
export function bundleFunction(id: LambdaFunctionId, options: BundleOptions = {}): LambdaBundle {
  return bundleAll({ ...options, ids: [id] })[id];
}
