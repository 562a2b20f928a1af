import { AbortError } from '../../../runtime/shared/clock';
import { canaries, failover, preflight, restore } from './phases';
import { type DrillRun, reportOf, startRun } from './run';
import { type DrillDeps, type DrillReport, type DrillSettings, message } from './types';

export { type DrillRun, reportOf, restoreSummary } from './run';

export { CANARY_MERCHANT, canaryBody } from './canaries';
export * from './types';

/**
 * The game-day engine behind `drctl drill`, with every dependency injected (clock, HTTP, AWS clients, the
 * Region switch) so a whole drill can run against simulated time and events. It runs the phases of
 * phases.ts in order (preflight, canaries, failover) and the restore after them whatever happened (errors,
 * an interrupt through `deps.signal`), then scores what it saw (scoring.ts).
 *
 * Observed lag = first sighting - send time (an upper bound: it includes the write latency and up to one poll
 * interval); the observed RPO of a store is the largest lag over all canaries.
 */
export async function runDrill(
  s: DrillSettings,
  deps: DrillDeps,
  onStart?: (run: DrillRun) => void,
): Promise<DrillReport> {
  const run = startRun(s, deps);
  onStart?.(run);
  try {
    run.event(`drill ${s.runId} started (${s.method}, ${s.canaries} canaries)`);
    try {
      await preflight(run);
    } catch (err) {
      run.refused = true;
      throw err;
    }
    await canaries(run);
    await failover(run);
  } catch (err) {
    const text = err instanceof AbortError ? 'drill interrupted' : message(err).replace(/^DrillAbort: /, '');
    run.errors.push(text);
    run.event(`error: ${text}`);
  } finally {
    await restore(run);
  }

  const report = reportOf(run, deps.clock.now());
  run.event(`drill finished: ${report.passed ? 'PASSED' : 'FAILED'}`);
  return { ...report, timeline: [...run.timeline] };
}
