import { writeFileSync } from 'node:fs';
import { renderCost } from '../src/docs/cost';
import { readPlan } from '../src/report';

/** `npm run cost`: regenerates docs/cost.md from the synthesized plan (run `npm run synth` first). */
const plan = readPlan(process.argv[2] ?? 'cdktf.out');
if (!plan.primary || !plan.secondary) {
  console.error('cost: no synthesized plan in cdktf.out/stacks (run npm run synth first)');
  process.exit(2);
}
const md = renderCost(plan);
writeFileSync('docs/cost.md', md);
console.log(md);
