import type { Config } from '../../src/config';
import { type ResourceNames, resourceNames } from '../../src/resource-names';

/**
 * Every name drctl touches: src/resource-names.ts, the one place the infrastructure builds them, so the CLI
 * never spells a resource name of its own.
 */
export const drNames = (config: Config): DrNames => resourceNames(config);

export type DrNames = ResourceNames;
