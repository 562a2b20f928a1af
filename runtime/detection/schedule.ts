/**
 * When a detector run probes, as numbers shared by the run itself (vantage.ts), its environment contract
 * (env.ts), the infrastructure (src/constructs/detection.ts: the function timeout) and the model of the alarms
 * (agreement.ts): each fact lives here once.
 *
 * EventBridge runs a `rate(1 minute)` rule once a minute, but only to the minute: "Your scheduled rule runs
 * within that minute, but not on the precise 0th second" (EventBridge User Guide, schedule expressions for
 * rules, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html). A run that
 * probed at once would therefore sample the primary at a different second each minute, and two runs could sit
 * almost a minute closer together (or further apart) than their schedule: a short outage could then fill the
 * probes of more runs than its length suggests. So a run does not probe at once: it waits for the next minute
 * boundary (its *window*) and probes at fixed offsets inside that one minute. The window, not the invocation
 * time, is the timestamp of the run's data point, so every CloudWatch period describes exactly the probes taken
 * inside it, whatever second EventBridge picked. The price is up to a minute of waiting per run (billed
 * duration), which buys a detection time and a shortest firing outage that jitter cannot move.
 *
 * The minute a run belongs to is the one it was scheduled in, not the one it happens to start in: a rule that
 * fires in the last second of its minute followed by a cold start would otherwise skip a window at one vantage
 * point, and a window one vantage point skips breaks the other's streak (agreement.ts).
 */
export const PERIOD_MS = 60_000;

/**
 * How late a run may start probing its window and still take it. Its probes then begin up to this much after
 * the window start (agreement.ts counts it against the shortest firing outage); a run later than that takes
 * the next window instead (which another run takes too: their data points share a period, harmlessly).
 */
export const LATE_START_TOLERANCE_MS = 1000;

const nextMinute = (t: number): number => Math.floor(t / PERIOD_MS) * PERIOD_MS + PERIOD_MS;

/**
 * The window a run probes in: the minute after the one it was scheduled in. `scheduledAt` is the event's own
 * time (EventBridge sets it when the rule fires, within the scheduled minute); a cold start or a slow delivery
 * then cannot push the run into the next minute's window. Without it, the invocation time stands in.
 */
export function windowStart(nowMs: number, scheduledAt?: number): number {
  const base = scheduledAt !== undefined && scheduledAt <= nowMs ? scheduledAt : nowMs;
  const window = nextMinute(base);
  return window + LATE_START_TOLERANCE_MS >= nowMs ? window : nextMinute(nowMs);
}

/** Probes of one run are spread evenly over the window: every 20 s with three probes. */
export function probeSpacingMs(probesPerRun: number): number {
  return Math.floor(PERIOD_MS / probesPerRun);
}

/** Offsets of the probes from the window start. */
export function probeOffsetsMs(probesPerRun: number): number[] {
  return Array.from({ length: probesPerRun }, (_, i) => i * probeSpacingMs(probesPerRun));
}

export interface RunTiming {
  probesPerRun: number;
  probeTimeoutMs: number;
  /** The deadline of the PutMetricData call that publishes the verdict (all its attempts). */
  publishDeadlineMs: number;
}

/** From the window start until the verdict is published, at the latest. */
export function verdictLatestMs(t: RunTiming): number {
  return (t.probesPerRun - 1) * probeSpacingMs(t.probesPerRun) + t.probeTimeoutMs + t.publishDeadlineMs;
}

/** Why these settings cannot work, or undefined. */
export function timingProblem(t: RunTiming): string | undefined {
  if (!Number.isInteger(t.probesPerRun) || t.probesPerRun < 1 || t.probesPerRun > 6)
    return 'probes per run must be an integer from 1 to 6';
  if (t.probesPerRun > 1 && t.probeTimeoutMs >= probeSpacingMs(t.probesPerRun))
    return `a probe timeout of ${t.probeTimeoutMs} ms does not fit between probes ${probeSpacingMs(t.probesPerRun)} ms apart`;
  // The verdict must reach CloudWatch inside its own period, so the next run's window never waits for it.
  if (verdictLatestMs(t) >= PERIOD_MS)
    return `the last probe and the publication (${verdictLatestMs(t)} ms) must end within the one-minute window`;
  return undefined;
}

/**
 * The function timeout a run needs: up to one minute of waiting for its window, the window's probes and the
 * publication, and a margin for the cold start.
 */
export function runTimeoutSeconds(t: RunTiming): number {
  return Math.ceil((PERIOD_MS + LATE_START_TOLERANCE_MS + verdictLatestMs(t)) / 1000) + 10;
}
