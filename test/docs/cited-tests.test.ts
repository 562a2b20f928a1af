import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The docs cite tests as evidence (`test/...test.ts`: "its title", ...). Each cited file must exist and each cited
 * title must be a test or describe title written in it, so a renamed or deleted test cannot leave a claim behind.
 */
const ROOT = join(__dirname, '..', '..');
const DOCS = [
  'README.md',
  'runtime/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'docs/runbooks'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/runbooks/${f}`),
];

/** `file`: "title", "title" pairs, as the docs write them. */
function citations(text: string): Array<{ file: string; titles: string[] }> {
  const out: Array<{ file: string; titles: string[] }> = [];
  for (const m of text.matchAll(/`(test\/[\w/.-]+\.test\.ts)`((?::\s*(?:"[^"]+"(?:,\s*)?)+)?)/g)) {
    const titles = [...(m[2] ?? '').matchAll(/"([^"]+)"/g)].map((t) => t[1] as string);
    out.push({ file: m[1] as string, titles });
  }
  return out;
}

describe('tests cited by the docs', () => {
  it.each(DOCS)('%s cites only tests that exist, by their titles', (doc) => {
    const problems: string[] = [];
    for (const { file, titles } of citations(readFileSync(join(ROOT, doc), 'utf8'))) {
      const path = join(ROOT, file);
      if (!existsSync(path)) {
        problems.push(`${file}: no such file`);
        continue;
      }
      const source = readFileSync(path, 'utf8').replace(/\s+/g, ' ');
      for (const t of titles) if (!source.includes(t)) problems.push(`${file}: no test titled "${t}"`);
    }
    expect(problems).toEqual([]);
  });
});
