import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  analyze,
  DEFAULT_POLICY,
  extractFacts,
  mergePolicy,
  type Policy,
  policyNumbers,
  readPlan,
  renderMarkdown,
} from '../src/report';

/**
 * `npm run report [-- --out DIR --policy FILE --plan DIR]`: computes RTO/RPO per failure scenario from the
 * synthesized plan, prints the markdown table, writes resilience.md and resilience.json, and exits 1 when
 * any scenario breaches the policy (2 on bad arguments or a missing plan).
 */
function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) fail(`report: --${name} needs a value`);
  return v;
};
for (const a of args) {
  if (a.startsWith('--') && !['--out', '--policy', '--plan'].includes(a))
    fail(`report: unknown option ${a} (use --out, --policy, --plan)`);
}
const planDir = opt('plan', 'cdktf.out');
const outDir = opt('out', 'reports');
const policyFile = opt('policy', '');
let policy: Policy = DEFAULT_POLICY;
if (policyFile) {
  let given: Parameters<typeof mergePolicy>[0];
  try {
    given = JSON.parse(readFileSync(policyFile, 'utf8')) as Parameters<typeof mergePolicy>[0];
  } catch (e) {
    fail(`report: cannot read policy ${policyFile}: ${(e as Error).message}`);
  }
  // Nested objects are merged field by field: a file may change one limit and keep the others.
  policy = mergePolicy(given);
  for (const [name, v] of policyNumbers(policy)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail(`report: policy ${policyFile}: ${name} must be a non-negative number of seconds`);
  }
}
const plan = readPlan(planDir);
if (!plan.primary || !plan.secondary)
  fail(`report: no synthesized plan in ${planDir}/stacks (run npm run synth first)`);

const report = analyze(extractFacts(plan), policy);
const markdown = renderMarkdown(report);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'resilience.md'), markdown);
writeFileSync(join(outDir, 'resilience.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(markdown);
process.exit(report.ok ? 0 : 1);
