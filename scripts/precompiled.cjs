#!/usr/bin/env node
'use strict';
/**
 * Runs a TypeScript entry point (bin/synth.ts, cli/drctl.ts, ...) from a CommonJS build of it that esbuild
 * writes to dist/entries/ and reuses while its inputs are unchanged: `node scripts/precompiled.cjs bin/synth.ts
 * [args]`. Loading the precompiled file instead of transpiling every module through tsx on each start halves
 * the synth time (bench/results.md). Packages stay external (loaded from node_modules as they are).
 *
 * The cache key is what the build read: the hash of every project file in esbuild's metafile inputs, plus the
 * lock file (for packages), the esbuild version, the Node.js major version and this file. Any edit of an imported file rebuilds.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { basename, dirname, join, relative, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const entryArg = process.argv[2];
if (!entryArg || !entryArg.endsWith('.ts')) {
  process.stderr.write('usage: node scripts/precompiled.cjs <entry.ts> [arguments]\n');
  process.exit(2);
}
const entry = resolve(root, entryArg);
const rel = relative(root, entry);
const outFile = join(root, 'dist', 'entries', `${rel.replace(/[\\/]/g, '__').replace(/\.ts$/, '')}.cjs`);
const metaFile = `${outFile}.inputs.json`;

const sha1 = (data) => createHash('sha1').update(data).digest('hex');
const fileHash = (path) => (existsSync(path) ? sha1(readFileSync(path)) : 'missing');

/** What every build depends on besides its own source files. */
function baseKey() {
  const esbuildVersion = JSON.parse(
    readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8'),
  ).version;
  const node = process.versions.node.split('.')[0];
  return sha1(
    [fileHash(join(root, 'package-lock.json')), esbuildVersion, node, fileHash(__filename)].join('|'),
  );
}

function upToDate(key) {
  if (!existsSync(outFile) || !existsSync(metaFile)) return false;
  let meta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch {
    return false;
  }
  if (meta.key !== key || typeof meta.inputs !== 'object' || meta.inputs === null) return false;
  return Object.entries(meta.inputs).every(([path, hash]) => fileHash(join(root, path)) === hash);
}

function build(key) {
  const { buildSync } = require('esbuild');
  const result = buildSync({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const inputs = {};
  for (const path of Object.keys(result.metafile.inputs).sort()) {
    if (!path.startsWith('node_modules/')) inputs[path] = fileHash(join(root, path));
  }
  writeFileSync(metaFile, `${JSON.stringify({ entry: rel, key, inputs }, null, 1)}\n`);
}

mkdirSync(dirname(outFile), { recursive: true });
const key = baseKey();
if (!upToDate(key)) build(key);
// The entry sees the arguments after its own name, as if it had been started directly.
process.argv = [process.argv[0], join(dirname(entry), basename(entry)), ...process.argv.slice(3)];
// The build carries an inline source map: NODE_OPTIONS=--enable-source-maps makes stack traces name the
// TypeScript sources (off by default: it costs about 0.3 s and 50 MB per synth).
require(outFile);
