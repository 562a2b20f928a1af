import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configExample, configJsonSchema, configReadme } from '../src/docs/config-docs';

/** `npm run config-docs [-- DIR]`: writes schema.json, example.json and README.md into config/ (or DIR). */
const dir = process.argv[2] ?? 'config';
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
writeFileSync(join(dir, 'schema.json'), json(configJsonSchema()));
writeFileSync(join(dir, 'example.json'), json(configExample()));
writeFileSync(join(dir, 'README.md'), configReadme());
console.log(`wrote ${dir}/schema.json, ${dir}/example.json, ${dir}/README.md`);
