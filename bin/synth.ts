import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, STACK_ORDER } from '../src/app';
import { ConfigError, deploymentWarnings, formatWarning, loadConfig } from '../src/config';
import { analyze, extractFacts, readPlan, renderSummary } from '../src/report';

/**
 * Main job: validates the configuration, synthesizes every stack into cdktf.out/ (no AWS credentials
 * needed) and prints a short summary. Exit 2 with one line on an invalid configuration.
 */
function main(): void {
  const started = process.hrtime.bigint();
  const config = loadConfig();
  const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  if (existsSync(join(outdir, 'stacks'))) rmSync(join(outdir, 'stacks'), { recursive: true, force: true });
  const { app } = buildApp(config, { outdir });
  app.synth();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // On stderr, after the summary, and also under the cdktn CLI (which owns stdout): a synth that would deploy
  // something silently broken says so every time.
  const warn = () => {
    for (const w of deploymentWarnings(config)) console.error(formatWarning(w));
  };

  // When run by the cdktn CLI, stdout is not ours to print to.
  if (process.env.CDKTF_CONTEXT_JSON !== undefined) {
    warn();
    return;
  }
  const lines: string[] = [
    `payments-dr: synthesized environment "${config.environmentSuffix}" into ${outdir}/ in ${ms.toFixed(0)} ms`,
  ];
  let total = 0;
  for (const id of STACK_ORDER) {
    const file = join(outdir, 'stacks', id, 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    const counts = Object.entries(json.resource ?? {}).map(
      ([type, byName]) => [type, Object.keys(byName).length] as const,
    );
    const n = counts.reduce((a, [, c]) => a + c, 0);
    total += n;
    lines.push(
      `  ${id.padEnd(13)} ${String(n).padStart(4)} resources  (${counts
        .sort((a, b) => b[1] - a[1])
        .map(([t, c]) => `${t.replace(/^aws_/, '')}:${c}`)
        .join(' ')})`,
    );
  }
  lines.push(
    `  total         ${String(total).padStart(4)} resources; apply order: ${STACK_ORDER.join(' -> ')}`,
  );
  const report = analyze(extractFacts(readPlan(outdir)));
  lines.push(
    `resilience (npm run report for the full table): ${report.ok ? 'PASS' : 'FAIL'}`,
    renderSummary(report),
  );
  console.log(lines.join('\n'));
  warn();
}

try {
  main();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
