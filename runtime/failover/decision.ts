/**
 * The watchdog's decision, as a pure function of what it remembers and what it just observed.
 *
 * Rules, applied to each new probe of the primary region's /health:
 * - Declared failed after `failureThreshold` (N) consecutive failed probes. Any success resets the streak, so a
 *   primary that fails intermittently is never declared on accumulated, non-consecutive failures.
 * - The last `historySize` (M) probes form a window; `flapThreshold` or more healthy/unhealthy transitions in
 *   it is flapping: alerted once when it starts, never a reason to promote, and it silences the per-streak
 *   "suspect" alerts until the window calms down.
 * - The first failure of a streak is alerted as suspect (an early warning before N is reached).
 * - Once declared, the state is sticky: later failures declare nothing again (the declaration and the
 *   promotion it may trigger happen once). It re-arms only after `recoveryThreshold` consecutive successes,
 *   reported as `recovered`.
 * - In `manual` mode a declaration only alerts (`promote: false`); only `automatic` mode hands over to the
 *   orchestrator. The mode of a declaration is recorded with it.
 * - While the secondary region is the writer (after a failover or a planned switchover) the primary is not
 *   expected to be healthy: probes are recorded, streaks are not counted, and no action is taken.
 */
export type FailoverMode = 'automatic' | 'manual';
export type Phase = 'healthy' | 'suspect' | 'declared';

export interface DecisionParams {
  /** N: consecutive failures that declare the primary failed. */
  failureThreshold: number;
  /** M: probes kept in the window (flapping detection, diagnostics). */
  historySize: number;
  /** Transitions within the window that count as flapping. */
  flapThreshold: number;
  /** Consecutive successes that end a declaration. */
  recoveryThreshold: number;
  mode: FailoverMode;
}

export interface ProbeSample {
  ok: boolean;
  /** Epoch milliseconds of the probe. */
  at: number;
}

export interface DecisionState {
  phase: Phase;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** Most recent last, at most `historySize` entries. */
  history: ProbeSample[];
  lastDeclaredAt: number | null;
  /** Mode in force when the current (or last) declaration was made. */
  declaredMode: FailoverMode | null;
  flapping: boolean;
}

export type DecisionAction =
  | { type: 'none' }
  | {
      type: 'alert-suspect';
      reason: 'failing' | 'flapping';
      consecutiveFailures: number;
      transitions: number;
    }
  | { type: 'declare-failed'; mode: FailoverMode; promote: boolean; consecutiveFailures: number }
  | { type: 'recovered'; declaredForMs: number | null; consecutiveSuccesses: number };

export interface DecisionContext {
  /** True when the secondary cluster is already the writer of the global database. */
  secondaryIsWriter: boolean;
}

export interface Decision {
  state: DecisionState;
  action: DecisionAction;
}

export const initialDecisionState = (): DecisionState => ({
  phase: 'healthy',
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  history: [],
  lastDeclaredAt: null,
  declaredMode: null,
  flapping: false,
});

/** Half the window, at least 3, and always below the window size (small windows get 2). */
export function defaultFlapThreshold(historySize: number): number {
  return Math.max(2, Math.min(historySize - 1, Math.max(3, Math.floor(historySize / 2))));
}

export function defaultRecoveryThreshold(failureThreshold: number): number {
  return Math.max(5, failureThreshold);
}

/** Throws on parameters that cannot work together (checked once at start-up). */
export function validateParams(p: DecisionParams): void {
  const int = (v: number) => Number.isInteger(v);
  if (!int(p.failureThreshold) || p.failureThreshold < 1 || p.failureThreshold > 100) {
    throw new Error('failure threshold must be an integer from 1 to 100');
  }
  if (!int(p.historySize) || p.historySize < p.failureThreshold || p.historySize > 1000) {
    throw new Error('history size must be an integer from the failure threshold to 1000');
  }
  if (!int(p.flapThreshold) || p.flapThreshold < 2 || p.flapThreshold >= p.historySize) {
    throw new Error('flap threshold must be an integer from 2 to history size - 1');
  }
  if (!int(p.recoveryThreshold) || p.recoveryThreshold < 1 || p.recoveryThreshold > 1000) {
    throw new Error('recovery threshold must be an integer from 1 to 1000');
  }
  if (p.mode !== 'automatic' && p.mode !== 'manual') throw new Error('mode must be automatic or manual');
}

export function countTransitions(history: readonly ProbeSample[]): number {
  let transitions = 0;
  for (let i = 1; i < history.length; i++) {
    if (history[i]?.ok !== history[i - 1]?.ok) transitions++;
  }
  return transitions;
}

export function decide(
  prev: DecisionState,
  probe: ProbeSample,
  params: DecisionParams,
  context: DecisionContext,
): Decision {
  const history = [...prev.history, { ok: probe.ok, at: probe.at }].slice(-params.historySize);
  const consecutiveFailures = probe.ok ? 0 : prev.consecutiveFailures + 1;
  const consecutiveSuccesses = probe.ok ? prev.consecutiveSuccesses + 1 : 0;
  const transitions = countTransitions(history);
  const base: DecisionState = { ...prev, history, consecutiveFailures, consecutiveSuccesses };
  const none: DecisionAction = { type: 'none' };

  if (context.secondaryIsWriter) {
    // The primary is a read-only secondary (or gone): its health is not a reason to act.
    return { state: { ...base, consecutiveFailures: 0, consecutiveSuccesses: 0 }, action: none };
  }

  if (prev.phase === 'declared') {
    if (consecutiveSuccesses >= params.recoveryThreshold) {
      return {
        state: { ...base, phase: 'healthy', flapping: false },
        action: {
          type: 'recovered',
          declaredForMs: prev.lastDeclaredAt === null ? null : probe.at - prev.lastDeclaredAt,
          consecutiveSuccesses,
        },
      };
    }
    return { state: base, action: none };
  }

  if (!probe.ok && consecutiveFailures >= params.failureThreshold) {
    return {
      state: {
        ...base,
        phase: 'declared',
        lastDeclaredAt: probe.at,
        declaredMode: params.mode,
        flapping: false,
      },
      action: {
        type: 'declare-failed',
        mode: params.mode,
        promote: params.mode === 'automatic',
        consecutiveFailures,
      },
    };
  }

  const phase: Phase = probe.ok ? 'healthy' : 'suspect';
  const flappingNow = transitions >= params.flapThreshold;
  if (flappingNow && !prev.flapping) {
    return {
      state: { ...base, phase, flapping: true },
      action: { type: 'alert-suspect', reason: 'flapping', consecutiveFailures, transitions },
    };
  }
  if (!probe.ok && consecutiveFailures === 1 && !flappingNow) {
    return {
      state: { ...base, phase, flapping: false },
      action: { type: 'alert-suspect', reason: 'failing', consecutiveFailures, transitions },
    };
  }
  return { state: { ...base, phase, flapping: flappingNow }, action: none };
}
