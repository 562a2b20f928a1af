import type { Check, Report, ScenarioResult } from './analyze';

/** Seconds as the report prints them (`4.1 min`, `30 s`); the docs quote these. */
export const formatSeconds = (s: number | null): string =>
  s === null ? 'n/a' : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s} s`;
const fmt = formatSeconds;
/** A margin: negative means missed by that much. */
const signed = (s: number | null) => (s === null ? 'n/a' : s < 0 ? `-${fmt(-s)}` : `+${fmt(s)}`);

const rtoTarget = (s: ScenarioResult) => s.checks.find((c) => c.subject === 'RTO' && c.against === 'target');
const typicalOnly = (s: ScenarioResult) => s.checks.filter((c) => c.status === 'met-typical');
const describe = (c: Check) => `${c.subject} ${c.against}`;

function verdictCell(s: ScenarioResult): string {
  if (s.verdict === 'fail') return `**FAIL**: ${s.breaches.join('; ')}`;
  if (s.verdict === 'met-typical')
    return `pass, **typical only** for: ${typicalOnly(s).map(describe).join(', ')}`;
  return 'pass';
}

function statusCell(c: Check): string {
  const status = c.status === 'met' ? 'met' : c.status === 'met-typical' ? '**met-typical**' : '**BREACH**';
  return c.note ? `${status}: ${c.note}` : status;
}

/** The report as a markdown document: one summary table, then each scenario's RTO chains, RPO and checks. */
export function renderMarkdown(r: Report): string {
  const p = r.policy;
  const lines = [
    '# Resilience report',
    '',
    `Policy: requirement RTO <= ${fmt(p.requirement.rtoSeconds)}, RPO <= ${fmt(p.requirement.rpoSeconds)}; ` +
      `targets RTO <= ${fmt(p.targets.rtoSeconds)}, ledger RPO <= ${fmt(p.targets.ledgerRpoSeconds)}. ` +
      'Computed from the synthesized plan (cdktf.out/), not from the configuration. ' +
      'RPO requirements are checked against worst cases; "typical only" marks a limit that holds only for ' +
      'typical replication lag and is not guaranteed.',
    '',
    '| scenario | recoverable | RTO | margin to RTO target | critical chain | ledger RPO (typical / bound) | DynamoDB RPO | S3 RPO | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of r.scenarios) {
    const rpo = (store: string) => s.rpo.find((x) => x.store === store);
    const pair = (store: string) => {
      const x = rpo(store);
      const bound =
        x?.basis === 'no-aws-bound'
          ? 'no AWS bound'
          : x?.basis === 'typical-only'
            ? 'no configured bound'
            : fmt(x?.boundSeconds ?? null);
      return `${fmt(x?.expectedSeconds ?? null)} / ${bound}`;
    };
    const critical = s.chains.find((c) => c.critical)?.id ?? 'n/a';
    lines.push(
      `| ${s.title} | ${s.recoverable ? 'yes' : '**no**'} | ${fmt(s.rtoSeconds)} | ${signed(rtoTarget(s)?.marginSeconds ?? null)} | ${critical} | ${pair('ledger (Aurora)')} | ${pair('DynamoDB')} | ${pair('receipts (S3)')} | ${verdictCell(s)} |`,
    );
  }
  if (r.notes.length > 0) {
    lines.push('', 'Plan notes:', '');
    for (const n of r.notes) lines.push(`- ${n}`);
  }
  for (const s of r.scenarios) {
    lines.push('', `## ${s.title}`, '');
    if (!s.recoverable) lines.push(`Not recoverable: missing ${s.missing.join('; ')}.`, '');
    if (s.unknown.length > 0) lines.push(`RTO unknown: ${s.unknown.join('; ')}.`, '');
    lines.push(
      s.chains.length > 1
        ? 'RTO chains (they run in parallel; the longest, marked critical, is the RTO):'
        : 'RTO chain:',
      '',
    );
    for (const c of s.chains) {
      const head = `${c.id} (${c.title}): ${c.seconds === null ? 'unknown' : fmt(c.seconds)}`;
      lines.push(c.critical ? `- **${head} — critical**` : `- ${head}`);
      for (const t of c.terms) lines.push(`  - ${t.name}: ${t.seconds} s (${t.source})`);
      for (const u of c.unknown) lines.push(`  - unknown: ${u}`);
    }
    for (const n of s.notes) lines.push(`- ${n}`);
    lines.push('', 'RPO per store:', '');
    for (const x of s.rpo) {
      const bound =
        x.basis === 'no-aws-bound'
          ? 'no AWS bound; typical used'
          : x.basis === 'typical-only'
            ? 'no configured bound; typical used'
            : x.basis === 'unbounded'
              ? 'bound: **unbounded**'
              : `bound ${fmt(x.boundSeconds)}`;
      lines.push(`- ${x.store}: typical ${fmt(x.expectedSeconds)}, ${bound} (${x.source})`);
    }
    if (s.checks.length > 0) {
      lines.push(
        '',
        '| check | limit | value | basis | margin | status |',
        '| --- | --- | --- | --- | --- | --- |',
      );
      for (const c of s.checks)
        lines.push(
          `| ${describe(c)} | ${fmt(c.limitSeconds)} | ${fmt(c.valueSeconds)} | ${c.basis} | ${signed(c.marginSeconds)} | ${statusCell(c)} |`,
        );
    }
  }
  lines.push('', `Overall: ${r.ok ? 'PASS' : 'FAIL'}`, '');
  return lines.join('\n');
}

/** A few lines for the end of `npm run synth`. */
export function renderSummary(r: Report): string {
  return r.scenarios
    .map((s) => {
      const m = rtoTarget(s)?.marginSeconds ?? null;
      const rto = `RTO ${fmt(s.rtoSeconds).padStart(8)}${m === null ? '' : ` (target margin ${signed(m)})`}`;
      const verdict =
        s.verdict === 'fail'
          ? `FAIL (${s.breaches[0]})`
          : s.verdict === 'met-typical'
            ? `pass, typical only: ${typicalOnly(s).map(describe).join(', ')}`
            : 'pass';
      return `  ${s.id.padEnd(25)} ${rto}  ${verdict}`;
    })
    .join('\n');
}
