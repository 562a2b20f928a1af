import { iso } from '../../../runtime/shared/clock';
import { elapsedTag } from '../format';
import type { HttpRequest, HttpResponse } from '../http';
import { observedRpo, rtoDefinition, scoreTargets, verdict } from './scoring';
import type { CanaryRecord, DrillDeps, DrillReport, DrillSettings } from './types';

/**
 * The state of one drill while it runs, shared by its phases: what has been observed so far (canaries,
 * failover, restore, errors, timeline) and what has been changed (and so must be restored).
 */
export interface DrillRun {
  readonly s: DrillSettings;
  readonly deps: DrillDeps;
  readonly t0: number;
  readonly timeline: DrillReport['timeline'];
  readonly errors: string[];
  readonly canaries: CanaryRecord[];
  readonly failover: DrillReport['failover'];
  readonly restore: DrillReport['restore'];
  postFailoverWrite: DrillReport['postFailoverWrite'];
  /** What the failover phase changed: the restore undoes exactly that. */
  switchoverRequested: boolean;
  /** The preflight refused: nothing was sent and nothing changed. */
  refused: boolean;
  /** Records a timeline event and prints it with the elapsed time. */
  event(text: string): void;
  /** A progress line that is not a timeline event. */
  progress(text: string): void;
  /** A SigV4-signed API request for `region`. */
  signed(req: HttpRequest, region: string): Promise<HttpResponse>;
}

export function startRun(s: DrillSettings, deps: DrillDeps): DrillRun {
  const t0 = deps.clock.now();
  const timeline: DrillReport['timeline'] = [];
  return {
    s,
    deps,
    t0,
    timeline,
    errors: [],
    canaries: [],
    failover: {
      startedAt: null,
      promotion: null,
      routedAt: null,
      routedMs: null,
      servingAt: null,
      servingMs: null,
      rtoMs: null,
      rtoDefinition: rtoDefinition(s.method),
      healthPolls: 0,
      healthErrors: 0,
    },
    restore: {
      startedAt: null,
      action: null,
      outcome: null,
      message: null,
      restoredAt: null,
      durationMs: null,
    },
    postFailoverWrite: null,
    switchoverRequested: false,
    refused: false,
    event(text) {
      const now = deps.clock.now();
      timeline.push({ at: iso(now), tMs: now - t0, event: text });
      deps.progress(`${elapsedTag(now - t0)} ${text}`);
    },
    progress(text) {
      deps.progress(`${elapsedTag(deps.clock.now() - t0)} ${text}`);
    },
    signed: async (req, region) => deps.http.request(await deps.sign(req, region)),
  };
}

/** The report of the run as it stands (final once the restore is over; partial before, e.g. on an interrupt). */
export function reportOf(run: DrillRun, finished: number): DrillReport {
  const { s } = run;
  const rpo = observedRpo(run.canaries);
  const targets = scoreTargets(rpo, run.failover.rtoMs, s.targets);
  return {
    runId: s.runId,
    environment: s.environment,
    method: s.method,
    startedAt: iso(run.t0),
    finishedAt: iso(finished),
    durationMs: finished - run.t0,
    primaryRegion: s.primaryRegion,
    secondaryRegion: s.secondaryRegion,
    publicHost: s.publicHost,
    canaries: [...run.canaries],
    rpo,
    rpoResolutionMs: s.observePollMs,
    failover: { ...run.failover },
    postFailoverWrite: run.postFailoverWrite,
    restore: { ...run.restore },
    targets,
    refused: run.refused,
    ...verdict(run.errors, targets),
    timeline: [...run.timeline],
    errors: [...run.errors],
  };
}

/**
 * What the drill changed and whether it was put back, for a person who must act on it (an interrupted
 * restore, a failed one): one line each, with the command that finishes the job.
 */
export function restoreSummary(run: DrillRun): { restored: string[]; notRestored: string[] } {
  const { s, restore: r } = run;
  if (!run.switchoverRequested)
    return { restored: ['nothing to restore: no failover was started'], notRestored: [] };
  const what = `the switchover to ${s.secondaryRegion}`;
  if (r.restoredAt)
    return {
      restored: [`${what}: undone, the public name serves from ${s.primaryRegion} since ${r.restoredAt}`],
      notRestored: [],
    };
  const fix = `check "drctl status" and run "drctl failback" if ${s.secondaryRegion} still writes`;
  const state =
    r.outcome === 'completed'
      ? `${r.action ?? 'restore'} ${r.outcome}, but the public name was not yet seen serving from ${s.primaryRegion}`
      : r.startedAt
        ? `${r.action ?? 'restore'} ${r.outcome ?? 'not finished'}`
        : 'the restore was not started';
  return { restored: [], notRestored: [`${what}: ${state}; ${fix}`] };
}
