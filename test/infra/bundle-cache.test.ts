import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleAll } from '../../src/bundling/bundle';
import { LAMBDA_FUNCTION_IDS, LAMBDA_FUNCTIONS, type LambdaFunctionId } from '../../src/bundling/functions';

/**
 * The bundle cache is keyed on what each bundle imports (esbuild's metafile): a change to a file only one
 * function imports rebuilds that function alone. Runs against a scratch source tree with the real entry
 * paths, so nothing of the repository is touched.
 */
function scratchTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package-lock.json', '{}');
  write('runtime/shared/common.ts', 'export const shared = 1;\n');
  write('runtime/migrations/001_a.sql', 'SELECT 1;\n');
  for (const id of LAMBDA_FUNCTION_IDS) {
    const own = `runtime/own/${id}.ts`;
    write(own, `export const own = ${JSON.stringify(id)};\n`);
    const imports = id === 'alert-relay' ? [] : ["import { shared } from '../shared/common';"];
    const uses = id === 'alert-relay' ? 'own' : 'own + shared';
    write(
      LAMBDA_FUNCTIONS[id].entry,
      `${imports.join('\n')}\nimport { own } from '${'../'.repeat(LAMBDA_FUNCTIONS[id].entry.split('/').length - 2)}own/${id}';\nexport const handler = async () => ${uses};\n`,
    );
  }
  return root;
}

const zipTimes = (outDir: string) =>
  Object.fromEntries(
    LAMBDA_FUNCTION_IDS.map((id) => [id, statSync(join(outDir, `${id}.zip`)).mtimeMs]),
  ) as Record<LambdaFunctionId, number>;

const rebuilt = (before: Record<LambdaFunctionId, number>, after: Record<LambdaFunctionId, number>) =>
  LAMBDA_FUNCTION_IDS.filter((id) => before[id] !== after[id]).sort();

describe('Lambda bundle cache', () => {
  it('rebuilds exactly the bundles whose imported files changed', async () => {
    const root = scratchTree();
    const outDir = join(root, 'dist', 'lambda');
    const first = bundleAll({ root, outDir });
    const t0 = zipTimes(outDir);
    // mtime resolution: make sure a rewrite would show.
    await new Promise((r) => setTimeout(r, 20));

    const again = bundleAll({ root, outDir });
    expect(rebuilt(t0, zipTimes(outDir))).toEqual([]);
    for (const id of LAMBDA_FUNCTION_IDS) expect(again[id].sha256).toBe(first[id].sha256);

    writeFileSync(join(root, 'runtime/own/fence-action.ts'), 'export const own = "changed";\n');
    const afterOwn = bundleAll({ root, outDir });
    const t1 = zipTimes(outDir);
    expect(rebuilt(t0, t1)).toEqual(['fence-action']);
    expect(afterOwn['fence-action'].sha256).not.toBe(first['fence-action'].sha256);
    await new Promise((r) => setTimeout(r, 20));

    writeFileSync(join(root, 'runtime/shared/common.ts'), 'export const shared = 2;\n');
    bundleAll({ root, outDir });
    const t2 = zipTimes(outDir);
    expect(rebuilt(t1, t2)).toEqual(LAMBDA_FUNCTION_IDS.filter((id) => id !== 'alert-relay').sort());
    await new Promise((r) => setTimeout(r, 20));

    // Files shipped beside index.js count as inputs of their function.
    writeFileSync(join(root, 'runtime/migrations/001_a.sql'), 'SELECT 2;\n');
    bundleAll({ root, outDir });
    expect(rebuilt(t2, zipTimes(outDir))).toEqual(['migrate']);
  });

  it('rebuilds everything when the lock file changes, and never trusts a replaced zip', async () => {
    const root = scratchTree();
    const outDir = join(root, 'dist', 'lambda');
    const first = bundleAll({ root, outDir });
    const t0 = zipTimes(outDir);
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    bundleAll({ root, outDir });
    const t1 = zipTimes(outDir);
    expect(rebuilt(t0, t1)).toEqual([...LAMBDA_FUNCTION_IDS].sort());
    await new Promise((r) => setTimeout(r, 20));

    writeFileSync(join(outDir, 'migrate.zip'), 'not the zip that was built');
    const repaired = bundleAll({ root, outDir });
    expect(rebuilt(t1, zipTimes(outDir))).toEqual(['migrate']);
    expect(repaired.migrate.sha256).toBe(first.migrate.sha256);
  });
});
