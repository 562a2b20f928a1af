import { type Config, REGION_CODES, type Region } from '../../src/config';
import { Naming, PROJECT_PREFIX } from '../../src/naming';
import { resourceNames } from '../../src/resource-names';

/**
 * Every name drctl touches, derived from the configuration through the same functions the infrastructure
 * uses (src/resource-names.ts, src/naming.ts), so the CLI never hard-codes a resource name.
 */
export const RECEIPTS_REPLICATION_RULE_ID = 'receipts-to-other-region';

export function drNames(config: Config) {
  const base = resourceNames(config);
  const n = new Naming(config.environmentSuffix);
  const suffix = config.environmentSuffix;
  const { apiLabel, zoneName } = config.dns;
  return {
    ...base,
    environment: suffix,
    primaryRegion: config.regions.primary,
    secondaryRegion: config.regions.secondary,
    stateTable: n.name('dr-state'),
    watchdogFunction: n.name('watchdog'),
    orchestratorFunction: n.name('orchestrator'),
    primaryHealthCheckName: n.name('primary-health'),
    alarmPrefix: `${PROJECT_PREFIX}-`,
    /** Alarms of this environment: `payment-processing-...-<suffix>` or `payment-processing-...-<suffix>-...`. */
    isEnvironmentAlarm: (name: string) =>
      name.startsWith(`${PROJECT_PREFIX}-`) && (name.endsWith(`-${suffix}`) || name.includes(`-${suffix}-`)),
    publicApiHost: `${apiLabel}.${zoneName}`,
    regionalApiHost: (region: Region) => `${apiLabel}-${REGION_CODES[region]}.${zoneName}`,
  };
}

export type DrNames = ReturnType<typeof drNames>;
