import { describe, expect, it } from 'vitest';
import {
  countTransitions,
  type DecisionAction,
  type DecisionParams,
  type DecisionState,
  decide,
  defaultFlapThreshold,
  defaultRecoveryThreshold,
  initialDecisionState,
  validateParams,
} from '../../runtime/failover/decision';

const MINUTE = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');

const params = (overrides: Partial<DecisionParams> = {}): DecisionParams => ({
  failureThreshold: 3,
  historySize: 10,
  flapThreshold: 5,
  recoveryThreshold: 5,
  mode: 'automatic',
  ...overrides,
});

/** Feeds a probe pattern ('F' failed, 'S' healthy), one per minute; returns every action and the final state. */
function run(
  pattern: string,
  p: DecisionParams = params(),
  start: DecisionState = initialDecisionState(),
  secondaryIsWriter = false,
): { actions: DecisionAction[]; state: DecisionState; types: string[] } {
  let state = start;
  const actions: DecisionAction[] = [];
  [...pattern.replace(/\s/g, '')].forEach((c, i) => {
    const d = decide(state, { ok: c === 'S', at: T0 + i * MINUTE }, p, { secondaryIsWriter });
    state = d.state;
    actions.push(d.action);
  });
  return { actions, state, types: actions.map((a) => a.type) };
}

describe('declaration after N consecutive failures', () => {
  it('declares on the Nth consecutive failure, with an early suspect alert on the first', () => {
    const { types, state, actions } = run('SSFFF');
    expect(types).toEqual(['none', 'none', 'alert-suspect', 'none', 'declare-failed']);
    expect(actions[4]).toEqual({
      type: 'declare-failed',
      mode: 'automatic',
      promote: true,
      consecutiveFailures: 3,
    });
    expect(state.phase).toBe('declared');
    expect(state.lastDeclaredAt).toBe(T0 + 4 * MINUTE);
    expect(state.declaredMode).toBe('automatic');
  });

  it('uses the configured N', () => {
    expect(run('FFFF', params({ failureThreshold: 5 })).types).not.toContain('declare-failed');
    expect(run('FFFFF', params({ failureThreshold: 5 })).types[4]).toBe('declare-failed');
    expect(run('F', params({ failureThreshold: 1, flapThreshold: 3 })).types).toEqual(['declare-failed']);
  });

  it('a single success resets the streak: N-1 failures, a success, N-1 failures never declare', () => {
    const { types, state } = run('FFSFFSFF');
    expect(types).not.toContain('declare-failed');
    expect(state.phase).toBe('suspect');
    expect(state.consecutiveFailures).toBe(2);
  });

  it('many failures within the window but never N in a row do not declare (not N-of-M)', () => {
    // 6 failures out of the last 9 probes, at most 2 consecutive.
    const { types } = run('FFSFFSFFS', params({ flapThreshold: 9 }));
    expect(types).not.toContain('declare-failed');
  });

  it('keeps only the last M probes in the window', () => {
    const { state } = run('SSSSSSSSSSSSFF', params({ historySize: 4 }));
    expect(state.history.map((h) => (h.ok ? 'S' : 'F')).join('')).toBe('SSFF');
  });
});

describe('manual mode', () => {
  it('declares and alerts but never asks for a promotion', () => {
    const { actions, state } = run('FFF', params({ mode: 'manual' }));
    expect(actions[2]).toEqual({
      type: 'declare-failed',
      mode: 'manual',
      promote: false,
      consecutiveFailures: 3,
    });
    expect(state.declaredMode).toBe('manual');
    // However long the outage, nothing ever promotes.
    const long = run('F'.repeat(200), params({ mode: 'manual', historySize: 50, flapThreshold: 10 }));
    expect(long.actions.some((a) => a.type === 'declare-failed' && a.promote)).toBe(false);
    expect(long.types.filter((t) => t === 'declare-failed')).toHaveLength(1);
  });
});

describe('declared state is sticky', () => {
  it('does not declare again while declared, whatever follows short of a sustained recovery', () => {
    const { types, state } = run('FFF FFFFFFF SSSS F SSSS FFF');
    expect(types.filter((t) => t === 'declare-failed')).toHaveLength(1);
    expect(types.filter((t) => t !== 'none' && t !== 'declare-failed' && t !== 'alert-suspect')).toEqual([]);
    expect(state.phase).toBe('declared');
  });

  it('raises no suspect or flapping alerts while declared', () => {
    const { types } = run('FFF' + 'SF'.repeat(10));
    expect(types.slice(3).every((t) => t === 'none')).toBe(true);
  });
});

describe('recovery', () => {
  it('re-arms after R consecutive successes and reports how long the declaration lasted', () => {
    const { actions, types, state } = run('FFF FF SSSSS');
    expect(types.filter((t) => t === 'recovered')).toHaveLength(1);
    const recovered = actions[9];
    expect(recovered).toEqual({ type: 'recovered', declaredForMs: 7 * MINUTE, consecutiveSuccesses: 5 });
    expect(state.phase).toBe('healthy');
  });

  it('a later outage after recovery is declared again (re-armed)', () => {
    const { types } = run('FFF SSSSS SS FFF');
    expect(types.filter((t) => t === 'declare-failed')).toHaveLength(2);
  });

  it('R-1 successes then a failure do not re-arm', () => {
    const { types, state } = run('FFF SSSS F SSSS');
    expect(types).not.toContain('recovered');
    expect(state.phase).toBe('declared');
  });
});

describe('flapping', () => {
  it('alerts once when the window shows many transitions, and never promotes', () => {
    const { types, actions, state } = run('SFSFSFSFSF');
    const flapping = actions.filter((a) => a.type === 'alert-suspect' && a.reason === 'flapping');
    expect(flapping).toHaveLength(1);
    expect(types).not.toContain('declare-failed');
    expect(state.flapping).toBe(true);
    // Per-streak suspect alerts stop once flapping is known.
    const firstFlap = actions.findIndex((a) => a.type === 'alert-suspect' && a.reason === 'flapping');
    expect(types.slice(firstFlap + 1).every((t) => t === 'none')).toBe(true);
  });

  it('clears when the window calms down, and alerts again if flapping resumes', () => {
    const calm = 'S'.repeat(10);
    const { actions, state } = run(`SFSFSF${calm}SFSFSF`);
    const flaps = actions.filter((a) => a.type === 'alert-suspect' && a.reason === 'flapping');
    expect(flaps).toHaveLength(2);
    expect(state.flapping).toBe(true);
  });

  it('a hard failure after flapping is still declared after N consecutive failures', () => {
    const { types, actions } = run('SFSFSSFFF');
    expect(actions[6]).toMatchObject({ type: 'alert-suspect', reason: 'flapping' });
    expect(types.filter((t) => t === 'declare-failed')).toHaveLength(1);
    expect(types[8]).toBe('declare-failed');
  });

  it('counts transitions', () => {
    const samples = (s: string) => [...s].map((c, i) => ({ ok: c === 'S', at: i }));
    expect(countTransitions(samples(''))).toBe(0);
    expect(countTransitions(samples('SSSS'))).toBe(0);
    expect(countTransitions(samples('SFSF'))).toBe(3);
    expect(countTransitions(samples('SSFF'))).toBe(1);
  });
});

describe('while the secondary region writes', () => {
  it('records probes but counts no streak and takes no action', () => {
    const { types, state } = run('FFFFFFFF', params(), initialDecisionState(), true);
    expect(types.every((t) => t === 'none')).toBe(true);
    expect(state.consecutiveFailures).toBe(0);
    expect(state.history).toHaveLength(8);
    expect(state.phase).toBe('healthy');
  });

  it('keeps a declaration declared, and a later failure streak starts from zero', () => {
    const declared = run('FFF').state;
    const during = run('FFFFFF', params(), declared, true).state;
    expect(during.phase).toBe('declared');
    const healthyAgain = run('SSSSS', params(), during).state;
    expect(healthyAgain.phase).toBe('healthy');
    expect(run('FF', params(), healthyAgain).types).not.toContain('declare-failed');
  });
});

describe('parameters', () => {
  it('has sane defaults', () => {
    expect(defaultFlapThreshold(10)).toBe(5);
    expect(defaultFlapThreshold(4)).toBe(3);
    expect(defaultFlapThreshold(3)).toBe(2);
    expect(defaultFlapThreshold(40)).toBe(20);
    expect(defaultRecoveryThreshold(3)).toBe(5);
    expect(defaultRecoveryThreshold(8)).toBe(8);
  });

  it('rejects combinations that cannot work', () => {
    expect(() => validateParams(params())).not.toThrow();
    expect(() => validateParams(params({ failureThreshold: 0 }))).toThrow(/failure threshold/);
    expect(() => validateParams(params({ historySize: 2 }))).toThrow(/history size/);
    expect(() => validateParams(params({ flapThreshold: 10 }))).toThrow(/flap threshold/);
    expect(() => validateParams(params({ recoveryThreshold: 0 }))).toThrow(/recovery threshold/);
    expect(() => validateParams(params({ mode: 'auto' as 'automatic' }))).toThrow(/mode/);
  });
});

describe('purity', () => {
  it('never mutates the previous state', () => {
    const prev = run('SSF').state;
    const frozen = JSON.stringify(prev);
    decide(prev, { ok: false, at: T0 }, params(), { secondaryIsWriter: false });
    expect(JSON.stringify(prev)).toBe(frozen);
  });
});
