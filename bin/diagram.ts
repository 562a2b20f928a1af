import { writeFileSync } from 'node:fs';
import { instance } from '@viz-js/viz';
import { buildDiagram, toDot, toMermaid } from '../src/docs/diagram';
import { readPlan } from '../src/report';

/**
 * `npm run diagram`: regenerates docs/architecture.mmd (Mermaid), docs/architecture.dot and the rendered
 * docs/architecture.svg from the synthesized plan in cdktf.out/ (run `npm run synth` first). The SVG is
 * rendered by Graphviz compiled to WebAssembly (@viz-js/viz, an npm dependency): no system package needed,
 * and the same input gives the same bytes on every machine.
 */
async function main(): Promise<void> {
  const plan = readPlan(process.argv[2] ?? 'cdktf.out');
  if (!plan.primary || !plan.secondary) {
    console.error('diagram: no synthesized plan in cdktf.out/stacks (run npm run synth first)');
    process.exit(2);
  }
  const diagram = buildDiagram(plan);
  const dot = toDot(diagram);
  const viz = await instance();
  const svg = viz.renderString(dot, { format: 'svg' });
  writeFileSync('docs/architecture.mmd', toMermaid(diagram));
  writeFileSync('docs/architecture.dot', dot);
  writeFileSync('docs/architecture.svg', svg);
  console.log(
    `diagram: ${diagram.nodes.length} nodes, ${diagram.edges.length} edges -> docs/architecture.{mmd,dot,svg} (Graphviz ${viz.graphvizVersion})`,
  );
}

main().catch((e: unknown) => {
  console.error(`diagram: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
