#!/usr/bin/env node
'use strict';
/**
 * The `drctl` command of this package (package.json "bin"): `npx drctl <command> [options]` in the project
 * directory. It runs cli/drctl.ts through the precompiled launcher (scripts/precompiled.cjs) and, unlike
 * `npm run drctl --`, prints nothing of its own: with `--json`, stdout is the JSON document alone.
 */
const { join } = require('node:path');

process.argv.splice(2, 0, 'cli/drctl.ts');
require(join(__dirname, '..', 'scripts', 'precompiled.cjs'));
