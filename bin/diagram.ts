import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { buildDiagram, toDot, toMermaid } from '../src/docs/diagram';
import { readPlan } from '../src/report';

/**
 * `npm run diagram`: regenerates docs/architecture.mmd (Mermaid) and docs/architecture.svg (Graphviz) from
 * the synthesized plan in cdktf.out/ (run `npm run synth` first). Rendering needs Graphviz's `dot`.
 */
const plan = readPlan(process.argv[2] ?? 'cdktf.out');
if (!plan.primary || !plan.secondary) {
  console.error('diagram: no synthesized plan in cdktf.out/stacks (run npm run synth first)');
  process.exit(2);
}
const diagram = buildDiagram(plan);
writeFileSync('docs/architecture.mmd', toMermaid(diagram));
const dot = toDot(diagram);
writeFileSync('docs/architecture.dot', dot);
const svg = spawnSync('dot', ['-Tsvg', '-o', 'docs/architecture.svg'], { input: dot, encoding: 'utf8' });
if (svg.error || svg.status !== 0) {
  console.error(
    `diagram: Graphviz "dot" failed (${svg.error?.message ?? svg.stderr.trim()}); install it, e.g. apt-get install graphviz`,
  );
  process.exit(1);
}
console.log(
  `diagram: ${diagram.nodes.length} nodes, ${diagram.edges.length} edges -> docs/architecture.{mmd,dot,svg}`,
);
