import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';
import { defaultFlapThreshold, defaultRecoveryThreshold, type FailoverMode } from './decision';
import { checkTopicRegion, promotionVars } from './orchestrator-env';
import { validateHealthUrl } from './probe';

/** The window of recent probes the decision looks at: at least 10, and never shorter than the threshold. */
export const defaultHistorySize = (failureThreshold: number): number => Math.max(10, failureThreshold);

/** The spacing of the probes of one run: the schedule period shared evenly among them. */
export const probeSpacingMs = (intervalMinutes: number, probesPerRun: number): number =>
  Math.floor((intervalMinutes * 60_000) / probesPerRun);

const FAILOVER_MODES: readonly FailoverMode[] = ['automatic', 'manual'];

/**
 * The environment contract of the watchdog function: every variable it reads, declared once, with the
 * defaults the function applies when one is unset. src/constructs/failover-automation.ts renders it,
 * runtime/failover/config.ts parses it, and src/report/facts.ts reads the synthesized one through it.
 */
const vars = {
  ...promotionVars,
  /** The primary's own API name (not the failover name), probed from outside. */
  primaryHealthUrl: envVar.text('PRIMARY_HEALTH_URL'),
  /** Pinned: the report's detection time depends on it, so the deployment states it. */
  probeTimeoutMs: envVar.int('PROBE_TIMEOUT_MS', 3000, { min: 100, max: 30_000 }, { pinned: true }),
  /** Probes per invocation, `probeSpacingMs` apart (1: the slowest detection). */
  probesPerRun: envVar.int('PROBES_PER_RUN', 1, { min: 1, max: 6 }),
  /** Only several probes per run are spaced; at most 15 minutes (the longest schedule, divided by one). */
  probeSpacingMs: envVar.int('PROBE_SPACING_MS', 20_000, { min: 5000, max: 900_000 }),
  /** Consecutive failed probes before the primary is declared failed. */
  failureThreshold: envVar.int('FAILURE_THRESHOLD', 3, { min: 1, max: 100 }),
  /** defaultHistorySize(FAILURE_THRESHOLD) when unset; never below max(3, FAILURE_THRESHOLD). */
  historySize: envVar.optionalInt('HISTORY_SIZE', { min: 3, max: 1000 }),
  /** defaultFlapThreshold(HISTORY_SIZE) when unset. */
  flapThreshold: envVar.optionalInt('FLAP_THRESHOLD', { min: 2, max: 1000 }),
  /** defaultRecoveryThreshold(FAILURE_THRESHOLD) when unset. */
  recoveryThreshold: envVar.optionalInt('RECOVERY_THRESHOLD', { min: 1, max: 1000 }),
  mode: envVar.oneOf('FAILOVER_MODE', FAILOVER_MODES, 'manual'),
  /** Named in manual-mode alerts (the function an operator invokes). */
  orchestratorFunctionName: envVar.optionalText('ORCHESTRATOR_FUNCTION_NAME'),
  maxHandoverAttempts: envVar.int('MAX_HANDOVER_ATTEMPTS', 5, { min: 1, max: 100 }),
};

export const watchdogEnv = defineEnv(vars);
export type WatchdogEnvInput = RenderInput<typeof vars>;

/** The parsed watchdog settings, with the derived defaults resolved. */
export interface WatchdogSettings extends Omit<
  Settings<typeof vars>,
  'historySize' | 'flapThreshold' | 'recoveryThreshold'
> {
  historySize: number;
  flapThreshold: number;
  recoveryThreshold: number;
}

export const renderWatchdogEnv = (input: WatchdogEnvInput): Record<string, string> =>
  watchdogEnv.render(input);

export function parseWatchdogEnv(env: Env): WatchdogSettings {
  const s = watchdogEnv.parseVars(env);
  checkTopicRegion(s, ' (the watchdog never depends on another region)');
  const historySize = s.historySize ?? defaultHistorySize(s.failureThreshold);
  const minHistory = Math.max(3, s.failureThreshold);
  if (historySize < minHistory)
    throw new Error(`environment variable HISTORY_SIZE must be between ${minHistory} and 1000`);
  validateHealthUrl(s.primaryHealthUrl);
  // One probe per run ignores the spacing.
  const spacing = s.probesPerRun > 1 ? s.probeSpacingMs : 0;
  if (s.probesPerRun > 1 && spacing <= s.probeTimeoutMs)
    throw new Error('PROBE_SPACING_MS must exceed PROBE_TIMEOUT_MS (one probe at a time)');
  return {
    ...s,
    probeSpacingMs: spacing,
    historySize,
    flapThreshold: s.flapThreshold ?? defaultFlapThreshold(historySize),
    recoveryThreshold: s.recoveryThreshold ?? defaultRecoveryThreshold(s.failureThreshold),
  };
}
