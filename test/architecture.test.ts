import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout rules the code review asked for, checked on the source: which folder may import which, and the
 * one module each kind of fact is built in.
 */
const ROOT = join(__dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = join(dir, entry);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The module specifiers a file imports (static imports and re-exports). */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1] as string);
}

/**
 * Imports of `files` that resolve into `target`, a folder or a module (relative specifiers only; packages are
 * not folders here). Specifiers name modules without their `.ts`.
 */
function importsInto(files: string[], target: string): string[] {
  const folder = target.replace(/\.ts$/, '');
  return files.flatMap((f) =>
    imports(f)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(ROOT, join(ROOT, f, '..', spec)))
      .filter((to) => to === folder || to.startsWith(`${folder}/`))
      .map((to) => `${f} -> ${to}`),
  );
}

describe('architecture', () => {
  it('keeps the Lambda code apart: runtime/ imports nothing from src/ or cli/', () => {
    const runtime = sources('runtime');
    expect([...importsInto(runtime, 'src'), ...importsInto(runtime, 'cli')]).toEqual([]);
  });

  it('shares the relay pieces through runtime/shared/, not runtime/failover/', () => {
    expect(importsInto(sources('runtime/alert-relay'), 'runtime/failover')).toEqual([]);
  });

  it('keeps the benchmarks off the test helpers', () => {
    expect(importsInto(sources('bench'), 'test')).toEqual([]);
  });

  it('builds names only in src/resource-names.ts and ARNs only in src/grants.ts', () => {
    const src = sources('src');
    const naming = src.filter((f) => f !== 'src/resource-names.ts' && f !== 'src/naming.ts');
    expect(importsInto(naming, 'src/naming.ts')).toEqual([]);
    expect(importsInto([...sources('cli'), ...sources('bin')], 'src/naming.ts')).toEqual([]);
    // An ARN template (arn:aws:<service>:...${...}) anywhere else is a grant or a name written by hand.
    const templated = src
      .filter((f) => f !== 'src/grants.ts' && f !== 'src/resource-names.ts')
      .filter((f) => /`arn:aws:[a-z0-9-]*:[^`]*\$\{/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(templated).toEqual([]);
  });

  it('finds what it guards against (the checks above are not vacuous)', () => {
    expect(importsInto(sources('src/constructs'), 'runtime').length).toBeGreaterThan(0);
    expect(importsInto(sources('cli/lib'), 'src/resource-names.ts').length).toBeGreaterThan(0);
  });

  it('builds every AWS SDK client in runtime/shared/aws-clients.ts', () => {
    const constructs = [...sources('runtime'), ...sources('cli'), ...sources('src'), ...sources('bin')]
      .filter((f) => f !== 'runtime/shared/aws-clients.ts')
      .filter((f) => /new [A-Za-z0-9]+Client\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(constructs).toEqual([]);
  });
});
