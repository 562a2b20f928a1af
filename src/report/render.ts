import type { Check, Report, ScenarioResult, Term } from './model';

/** Seconds as the report prints them (`4.1 min`, `30 s`); the docs quote these. */
export const formatSeconds = (s: number | null): string =>
  s === null ? 'n/a' : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s} s`;
const fmt = formatSeconds;
/** A best–worst range (`3.0-14.6 min`), one value when both are the same, or the scenario's note. */
export const formatRange = (best: number | null, worst: number | null): string =>
  worst === null ? 'n/a' : best === null || best === worst ? fmt(worst) : `${fmt(best)} – ${fmt(worst)}`;
const rtoCell = (s: ScenarioResult) =>
  s.rtoSeconds === null && s.rtoNote ? 'n/a' : formatRange(s.rtoBestSeconds, s.rtoSeconds);
const termRange = (t: Term) =>
  t.bestSeconds === t.seconds ? `${t.seconds} s` : `${t.bestSeconds}-${t.seconds} s`;
/** A margin: negative means missed by that much. */
const signed = (s: number | null) => (s === null ? 'n/a' : s < 0 ? `-${fmt(-s)}` : `+${fmt(s)}`);

/** Target minus the worst case (negative: missed by that much). */
const worstMargin = (s: ScenarioResult, target: number) =>
  s.rtoSeconds === null ? null : target - s.rtoSeconds;
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
    '| scenario | outcome | recoverable | RTO (best – worst) | worst-case margin to RTO target | critical chain | ledger RPO (typical / bound) | DynamoDB RPO | S3 RPO | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
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
      return x ? `${fmt(x.expectedSeconds)} / ${bound}` : 'n/a';
    };
    const critical = s.chains.find((c) => c.critical)?.id ?? 'n/a';
    lines.push(
      `| ${s.title} | ${s.outcome} | ${s.recoverable ? 'yes' : '**no**'} | ${rtoCell(s)} | ${signed(worstMargin(s, p.targets.rtoSeconds))} | ${critical} | ${pair('ledger (Aurora)')} | ${pair('DynamoDB')} | ${pair('receipts (S3)')} | ${verdictCell(s)} |`,
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
    if (s.rtoNote) lines.push(`RTO: ${s.rtoNote}.`, '');
    for (const i of s.invariants)
      lines.push(`- invariant: ${i.name}: ${i.holds ? 'holds' : '**not shown**'} (${i.why})`);
    if (s.invariants.length > 0 && (s.chains.length > 0 || s.notes.length > 0)) lines.push('');
    if (s.chains.length > 0)
      lines.push(
        s.chains.length > 1
          ? 'RTO chains, each in series (they run in parallel after the shared steps; the longest, marked critical, is the RTO):'
          : 'RTO chain (in series):',
        '',
      );
    for (const c of s.chains) {
      const head = `${c.id} (${c.title}): ${c.seconds === null ? 'unknown' : formatRange(c.bestSeconds, c.seconds)}`;
      lines.push(c.critical ? `- **${head} — critical**` : `- ${head}`);
      for (const t of c.terms) lines.push(`  - ${t.name}: ${termRange(t)} (${t.source})`);
      for (const u of c.unknown) lines.push(`  - unknown: ${u}`);
    }
    if (s.planBoundSeconds !== undefined)
      lines.push(
        `- plan bound (every step at its timeout_minutes, after which ARC fails the execution): ${fmt(s.planBoundSeconds)}`,
      );
    for (const n of s.notes) lines.push(`- ${n}`);
    if (s.rpo.length === 0) {
      lines.push('', 'RPO: n/a (nothing fails over).');
    } else lines.push('', 'RPO per store:', '');
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
  if (r.unverified.length > 0) {
    lines.push(
      '',
      '## Unverified',
      '',
      'Numbers above that rest on an assumption or on an AWS figure not found again:',
      '',
    );
    for (const u of r.unverified) lines.push(`- ${u}`);
  }
  lines.push('', `Overall: ${r.ok ? 'PASS' : 'FAIL'}`, '');
  return lines.join('\n');
}

/** A few lines for the end of `npm run synth`. */
export function renderSummary(r: Report): string {
  return r.scenarios
    .map((s) => {
      const m = worstMargin(s, r.policy.targets.rtoSeconds);
      const rto = `RTO ${rtoCell(s).padStart(17)}${m === null ? '' : ` (target margin ${signed(m)})`}`;
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
