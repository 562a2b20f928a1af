import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { activateRegion, type FenceState } from '../shared/fence';

/**
 * The write fence step of the Region switch plan. ARC runs it in the activating region ("regionToRun:
 * activatingRegion"; the step names one function per plan region: AWS, "Custom action Lambda execution block",
 * https://docs.aws.amazon.com/r53recovery/latest/dg/custom-action-lambda-block.html), before the Aurora step, so:
 * - the region being activated becomes the fence's active region (a quorum write in the MRSC control table);
 * - the old region's payment functions read the fence before every write and stop writing within their fence
 *   cache time, or cannot read it at all when they are cut off (no quorum), so no write lands in two regions.
 * Idempotent: ARC retries the step after `retryIntervalMinutes` when it fails or times out, and a second run
 * finds the region already active and writes nothing. A failure is thrown, so the step fails and the execution
 * stops before the database is promoted.
 */
export interface FenceActionDeps {
  ddb: DynamoDBDocumentClient;
  table: string;
  /** The region this function runs in (AWS_REGION): the one it activates. */
  region: string;
  abortSignal?: AbortSignal;
}

export interface FenceActionResult {
  activeRegion: string;
  epoch: number;
  changed: boolean;
}

/** What the plan's invocation says about itself, for the fence item's `updatedBy` (never trusted for the region). */
export function invokedBy(event: unknown): string {
  const e = (event ?? {}) as Record<string, unknown>;
  for (const key of ['executionId', 'planExecutionId', 'ExecutionId']) {
    const v = e[key];
    if (typeof v === 'string' && /^[\w:/.-]{1,200}$/.test(v)) return `arc-region-switch:${v}`;
  }
  return 'arc-region-switch';
}

export async function runFenceAction(deps: FenceActionDeps, by: string): Promise<FenceActionResult> {
  const { state, changed } = await activateRegion(deps.ddb, deps.table, {
    region: deps.region,
    by,
    reason: 'Region switch plan execution activates this region',
    ...(deps.abortSignal ? { abortSignal: deps.abortSignal } : {}),
  });
  if (state.activeRegion !== deps.region) {
    // Lost a race against a concurrent activation of another region: the step must fail, not pretend.
    throw new Error(
      `the fence names ${state.activeRegion} (epoch ${state.epoch}) after activating ${deps.region}: a concurrent activation won`,
    );
  }
  return summary(state, changed);
}

const summary = (state: FenceState, changed: boolean): FenceActionResult => ({
  activeRegion: state.activeRegion,
  epoch: state.epoch,
  changed,
});
