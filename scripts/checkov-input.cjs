#!/usr/bin/env node
'use strict';
/**
 * Copies each synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json) for checkov, without one key:
 * `terraform.required_version`. checkov's Terraform JSON parser (terraform_json/parser.py, hclify) accepts only
 * objects inside the `terraform` block and stops the whole file with "this method receives only dicts" on that
 * string, so the file would not be scanned at all. The version constraint is no security setting, and nothing else
 * is touched: every resource, data source, provider and backend reaches checkov as synthesized.
 *
 *   node scripts/checkov-input.cjs [cdktf.out/stacks] [reports/checkov]   # prints the files it wrote
 */
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** The stack document checkov reads: the synthesized one minus `terraform.required_version`. */
function forCheckov(doc) {
  const copy = JSON.parse(JSON.stringify(doc));
  if (copy.terraform && typeof copy.terraform === 'object') delete copy.terraform.required_version;
  return copy;
}

function main(src, dst) {
  if (!existsSync(src)) {
    process.stderr.write(`checkov-input: ${src} does not exist (run npm run synth first)\n`);
    process.exit(2);
  }
  rmSync(dst, { recursive: true, force: true });
  const written = [];
  for (const stack of readdirSync(src).sort()) {
    const file = join(src, stack, 'cdk.tf.json');
    if (!existsSync(file)) continue;
    mkdirSync(join(dst, stack), { recursive: true });
    const out = join(dst, stack, 'cdk.tf.json');
    writeFileSync(out, `${JSON.stringify(forCheckov(JSON.parse(readFileSync(file, 'utf8'))), null, 2)}\n`);
    written.push(out);
  }
  if (written.length === 0) {
    process.stderr.write(`checkov-input: no cdk.tf.json under ${src}\n`);
    process.exit(2);
  }
  process.stdout.write(`${written.join('\n')}\n`);
}

module.exports = { forCheckov };
if (require.main === module)
  main(process.argv[2] ?? 'cdktf.out/stacks', process.argv[3] ?? 'reports/checkov');
