import { iso } from '../../../runtime/failover/clock';
import { elapsedTag } from '../format';
import type { HttpRequest, HttpResponse } from '../http';
import { rtoDefinition } from './scoring';
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
  inversionRequested: boolean;
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
      healthCheckInverted: false,
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
    inversionRequested: false,
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
