import { writeFileSync } from 'node:fs';
import { publishedOpenApi } from '../src/api/openapi';

/**
 * `npm run openapi`: writes docs/openapi.json, the published contract of the payment API, from the same
 * definition as the REST API body both regions deploy (src/api/openapi.ts). CI checks it is current.
 */
const out = process.argv[2] ?? 'docs/openapi.json';
writeFileSync(out, `${JSON.stringify(publishedOpenApi(), null, 2)}\n`);
console.log(`wrote ${out}`);
