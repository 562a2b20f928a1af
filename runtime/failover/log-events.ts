/**
 * Messages of the watchdog's log lines that the infrastructure turns into metrics (CloudWatch Logs metric
 * filters in src/constructs/failover-automation.ts). Shared so that the filters and the code cannot drift.
 */

/**
 * Logged as soon as a run's decision is saved, before alerts are published and before any hand-over: the
 * decision metrics must not wait for (or be lost with) an in-process failover that can take minutes.
 */
export const WATCHDOG_DECIDED = 'watchdog decided';

/** Logged at the very end of a run, after alerts and any hand-over. */
export const WATCHDOG_FINISHED = 'watchdog run finished';
