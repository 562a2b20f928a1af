import type { Report } from './analyze';

const fmt = (s: number | null) => (s === null ? 'n/a' : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s} s`);

/** The report as a markdown document: one summary table, then each scenario's RTO chain and RPO per store. */
export function renderMarkdown(r: Report): string {
  const p = r.policy;
  const lines = [
    '# Resilience report',
    '',
    `Policy: requirement RTO <= ${fmt(p.requirement.rtoSeconds)}, RPO <= ${fmt(p.requirement.rpoSeconds)}; ` +
      `targets RTO <= ${fmt(p.targets.rtoSeconds)}, ledger RPO <= ${fmt(p.targets.ledgerRpoSeconds)}. ` +
      'Computed from the synthesized plan (cdktf.out/), not from the configuration.',
    '',
    '| scenario | recoverable | RTO | ledger RPO (typical / bound) | DynamoDB RPO | S3 RPO | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of r.scenarios) {
    const rpo = (store: string) => s.rpo.find((x) => x.store === store);
    const pair = (store: string) =>
      `${fmt(rpo(store)?.expectedSeconds ?? null)} / ${fmt(rpo(store)?.boundSeconds ?? null)}`;
    lines.push(
      `| ${s.title} | ${s.recoverable ? 'yes' : '**no**'} | ${fmt(s.rtoSeconds)} | ${pair('ledger (Aurora)')} | ${pair('DynamoDB')} | ${pair('receipts (S3)')} | ${s.breaches.length === 0 ? 'pass' : `**FAIL**: ${s.breaches.join('; ')}`} |`,
    );
  }
  for (const s of r.scenarios) {
    lines.push('', `## ${s.title}`, '');
    if (!s.recoverable) lines.push(`Not recoverable: missing ${s.missing.join('; ')}.`, '');
    lines.push('RTO chain (longest path):', '');
    for (const t of s.rtoTerms) lines.push(`- ${t.name}: ${t.seconds} s (${t.source})`);
    lines.push('', 'RPO per store:', '');
    for (const x of s.rpo)
      lines.push(
        `- ${x.store}: typical ${fmt(x.expectedSeconds)}, bound ${fmt(x.boundSeconds)} (${x.source})`,
      );
  }
  lines.push('', `Overall: ${r.ok ? 'PASS' : 'FAIL'}`, '');
  return lines.join('\n');
}

/** A few lines for the end of `npm run synth`. */
export function renderSummary(r: Report): string {
  return r.scenarios
    .map(
      (s) =>
        `  ${s.id.padEnd(25)} RTO ${fmt(s.rtoSeconds).padStart(8)}  ${s.breaches.length === 0 ? 'pass' : `FAIL (${s.breaches[0]})`}`,
    )
    .join('\n');
}
