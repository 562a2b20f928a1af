import { AbortError, iso } from '../../../runtime/failover/clock';
import { canaries, failover, preflight, restore } from './phases';
import { startRun } from './run';
import { observedRpo, scoreTargets, verdict } from './scoring';
import { type DrillDeps, type DrillReport, type DrillSettings, message } from './types';

export { CANARY_MERCHANT, canaryBody } from './canaries';
export * from './types';

/**
 * The game-day engine behind `drctl drill`, with every dependency injected (clock, HTTP, AWS clients, the
 * orchestrator) so a whole drill can run against simulated time and events. It runs the phases of
 * phases.ts in order (preflight, canaries, failover) and the restore after them whatever happened (errors,
 * an interrupt through `deps.signal`), then scores what it saw (scoring.ts).
 *
 * Observed lag = first sighting - send time (an upper bound: it includes the write latency and up to one poll
 * interval); the observed RPO of a store is the largest lag over all canaries.
 */
export async function runDrill(s: DrillSettings, deps: DrillDeps): Promise<DrillReport> {
  const run = startRun(s, deps);
  try {
    run.event(`drill ${s.runId} started (${s.method}, ${s.canaries} canaries)`);
    await preflight(run);
    await canaries(run);
    await failover(run);
  } catch (err) {
    const text = err instanceof AbortError ? 'drill interrupted' : message(err).replace(/^DrillAbort: /, '');
    run.errors.push(text);
    run.event(`error: ${text}`);
  } finally {
    await restore(run);
  }

  const finished = deps.clock.now();
  const rpo = observedRpo(run.canaries);
  const targets = scoreTargets(rpo, run.failover.rtoMs, s.targets);
  const report: DrillReport = {
    runId: s.runId,
    environment: s.environment,
    method: s.method,
    startedAt: iso(run.t0),
    finishedAt: iso(finished),
    durationMs: finished - run.t0,
    primaryRegion: s.primaryRegion,
    secondaryRegion: s.secondaryRegion,
    publicHost: s.publicHost,
    canaries: run.canaries,
    rpo,
    rpoResolutionMs: s.observePollMs,
    failover: run.failover,
    postFailoverWrite: run.postFailoverWrite,
    restore: run.restore,
    targets,
    ...verdict(run.errors, targets),
    timeline: run.timeline,
    errors: run.errors,
  };
  run.event(`drill finished: ${report.passed ? 'PASSED' : 'FAILED'}`);
  return report;
}
