import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { measureBundles, measureSynth } from './measure';
import { measurePost } from './post-load';

/** `npm run bench`: measures synth, bundles and the POST path, and writes bench/results.md. */
const TARGETS = { synthMs: 2000, synthMiB: 400, bundleBytes: 1_000_000, coldImportMs: 150, postP99Ms: 50 };
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

async function main(): Promise<void> {
  const synth = measureSynth(5);
  console.error(
    `synth: ${synth.medianWallMs.toFixed(0)} ms, ${synth.peakRssMiB.toFixed(0)} MiB, ${synth.resources} resources`,
  );
  const bundles = measureBundles();
  for (const b of bundles)
    console.error(
      `bundle ${b.id}: ${b.rawBytes} B raw, ${b.zipBytes} B zip, ${b.coldImportMs.toFixed(1)} ms import`,
    );
  const post = await measurePost(1000, 10);
  console.error(
    `POST: ${post.throughputPerSec.toFixed(0)}/s p50 ${post.p50Ms.toFixed(1)} ms p99 ${post.p99Ms.toFixed(1)} ms`,
  );

  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}. Targets from the project's issues.`,
    '',
    '## Synth',
    '',
    '| measure | value | target | status |',
    '| --- | --- | --- | --- |',
    `| wall time, median of ${synth.runs} (\`node --import tsx bin/synth.ts\`, bundles cached) | ${synth.medianWallMs.toFixed(0)} ms | <= ${TARGETS.synthMs} ms | ${mark(synth.medianWallMs <= TARGETS.synthMs)} |`,
    `| peak memory (max RSS) | ${synth.peakRssMiB.toFixed(0)} MiB | <= ${TARGETS.synthMiB} MiB | ${mark(synth.peakRssMiB <= TARGETS.synthMiB)} |`,
    `| resources synthesized | ${synth.resources} | | |`,
    '',
    '## Lambda bundles',
    '',
    '| function | raw | zipped | cold import (median of 5) | size target | import target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...bundles.map(
      (b) =>
        `| ${b.id} | ${(b.rawBytes / 1024).toFixed(0)} KiB | ${(b.zipBytes / 1024).toFixed(0)} KiB | ${b.coldImportMs.toFixed(1)} ms | ${mark(b.rawBytes <= TARGETS.bundleBytes)} (<= 1 MB) | ${mark(b.coldImportMs <= TARGETS.coldImportMs)} (<= ${TARGETS.coldImportMs} ms) |`,
    ),
    '',
    '## POST /payments through the local server',
    '',
    `${post.requests} requests with unique Idempotency-Keys, ${post.concurrency} in flight, against a ${post.database} on 127.0.0.1 and the moto emulator (both on this machine).`,
    '',
    '| measure | value | target | status |',
    '| --- | --- | --- | --- |',
    `| throughput | ${post.throughputPerSec.toFixed(0)} req/s | | |`,
    `| p50 latency | ${post.p50Ms.toFixed(1)} ms | | |`,
    `| p99 latency | ${post.p99Ms.toFixed(1)} ms | <= ${TARGETS.postP99Ms} ms at concurrency 10 | ${mark(post.p99Ms <= TARGETS.postP99Ms)} |`,
    `| non-201 responses | ${post.errors} | 0 | ${mark(post.errors === 0)} |`,
    '',
  ];
  writeFileSync('bench/results.md', lines.join('\n'));
  console.error('wrote bench/results.md');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
