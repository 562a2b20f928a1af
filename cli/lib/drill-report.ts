import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DrillReport, STORES } from './drill/index';
import { duration } from './format';

/** The drill report as markdown (for the game-day record) and JSON (for trend tracking), side by side. */
const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderDrillMarkdown(r: DrillReport): string {
  const lines: string[] = [];
  const verdict = r.passed
    ? r.strictPassed
      ? 'PASSED (all targets met)'
      : 'PASSED (requirement met; stricter targets missed)'
    : 'FAILED';
  lines.push(`# DR drill ${r.runId}: ${verdict}`);
  lines.push('');
  lines.push(`- Environment: \`${r.environment}\`, public name \`${r.publicHost}\``);
  lines.push(`- Method: \`${r.method}\` (${r.primaryRegion} -> ${r.secondaryRegion} and back)`);
  lines.push(`- Started ${r.startedAt}, finished ${r.finishedAt} (${duration(r.durationMs)})`);
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| target | observed | limit | result |');
  lines.push('| --- | --- | --- | --- |');
  for (const t of r.targets) {
    lines.push(
      `| ${cell(t.description)}${t.strict ? ' (design target)' : ''} | ${t.observedMs === null ? 'not observed' : duration(t.observedMs)} | ${duration(t.limitMs)} | ${t.pass ? 'pass' : 'FAIL'} |`,
    );
  }
  lines.push('');
  lines.push('## Observed RPO (replication to the secondary region)');
  lines.push('');
  lines.push(
    `Lag of each canary = first sighting in ${r.secondaryRegion} minus send time; an upper bound (write latency plus up to ${duration(r.rpoResolutionMs)} of polling). Observed RPO = the largest lag.`,
  );
  lines.push('');
  lines.push('| store | observed RPO | canaries seen |');
  lines.push('| --- | --- | --- |');
  for (const store of STORES) {
    const x = r.rpo[store];
    lines.push(
      `| ${store} | ${x.observedMs === null ? 'not observed' : duration(x.observedMs)} | ${x.visible}/${x.total} |`,
    );
  }
  lines.push('');
  lines.push('| # | payment | sent | aurora | dynamodb | s3 |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const c of r.canaries) {
    const v = (store: (typeof STORES)[number]) => {
      const x = c.visibility[store];
      return x.lagMs !== null ? duration(x.lagMs) : cell(x.error ?? 'not seen');
    };
    lines.push(
      `| ${c.index} | ${c.paymentId ?? cell(`failed: ${c.error ?? '?'}`)} | ${c.sentAt} | ${v('aurora')} | ${v('dynamodb')} | ${v('s3')} |`,
    );
  }
  lines.push('');
  lines.push('## Observed RTO');
  lines.push('');
  const f = r.failover;
  lines.push(`- Definition: ${f.rtoDefinition}.`);
  lines.push(`- Failover started: ${f.startedAt ?? 'not started'}`);
  if (f.promotion) {
    lines.push(
      `- Switchover: ${f.promotion.outcome}${f.promotion.executionId ? ` (execution ${f.promotion.executionId})` : ''} (${cell(f.promotion.message)}); Aurora step ${duration(f.promotion.promotionMs)}, whole execution ${duration(f.promotion.elapsedMs)}`,
    );
  }
  lines.push(
    `- Public name answered from ${r.secondaryRegion} after ${duration(f.routedMs)}${f.routedAt ? ` (${f.routedAt})` : ''}`,
  );
  lines.push(
    `- Public name served 200 from ${r.secondaryRegion} after ${duration(f.servingMs)}${f.servingAt ? ` (${f.servingAt})` : ''}`,
  );
  lines.push(
    `- **RTO: ${f.rtoMs === null ? 'not observed' : duration(f.rtoMs)}** (${f.healthPolls} polls, ${f.healthErrors} without answer)`,
  );
  if (r.postFailoverWrite) {
    lines.push(
      `- Payment after failover: ${r.postFailoverWrite.ok ? 'accepted' : 'NOT accepted'} (HTTP ${r.postFailoverWrite.status ?? '-'} from ${r.postFailoverWrite.region ?? '-'})`,
    );
  }
  lines.push('');
  lines.push('## Restore');
  lines.push('');
  if (r.restore.action) {
    lines.push(
      `- ${r.restore.action}: ${r.restore.outcome ?? 'not finished'}${r.restore.message ? ` (${cell(r.restore.message)})` : ''}`,
    );
    lines.push(
      `- Public name back on ${r.primaryRegion}: ${r.restore.restoredAt ?? 'NOT CONFIRMED'}${r.restore.durationMs !== null ? ` (${duration(r.restore.durationMs)})` : ''}`,
    );
  } else {
    lines.push('- Nothing to restore (no failover was started).');
  }
  if (r.errors.length > 0) {
    lines.push('');
    lines.push('## Errors');
    lines.push('');
    for (const e of r.errors) lines.push(`- ${e}`);
  }
  lines.push('');
  lines.push('## Timeline');
  lines.push('');
  lines.push('| time | +elapsed | event |');
  lines.push('| --- | --- | --- |');
  for (const e of r.timeline) lines.push(`| ${e.at} | ${duration(e.tMs)} | ${cell(e.event)} |`);
  lines.push('');
  return lines.join('\n');
}

/** Writes `report.md` and `report.json` into `dir` (created if needed); returns their paths. */
export function writeDrillReport(dir: string, r: DrillReport): { markdown: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, 'report.md');
  const json = join(dir, 'report.json');
  writeFileSync(markdown, renderDrillMarkdown(r));
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  return { markdown, json };
}
