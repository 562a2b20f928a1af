import { BUDGETS, documentClient } from '../shared/aws-clients';
import { lazy } from '../shared/lazy';
import { createOpenLogger, errorFields } from '../shared/logger';
import { type FenceActionDeps, type FenceActionResult, invokedBy, runFenceAction } from './action';
import { FENCE_ACTION_DEADLINE_MS, parseFenceActionEnv } from './env';

/** Lambda entry point: invoked synchronously by the Region switch plan's custom-action step. */
const deps = lazy((): FenceActionDeps => {
  const s = parseFenceActionEnv(process.env);
  return {
    // The failover functions' budget: every DynamoDB call bounded (the fence read and the conditional write).
    ddb: documentClient(BUDGETS.failover, {
      region: s.region,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    }),
    table: s.controlTable,
    region: s.region,
  };
});

export async function handler(event: unknown): Promise<FenceActionResult> {
  const log = createOpenLogger({ service: 'fence-action', region: process.env.AWS_REGION });
  const by = invokedBy(event);
  try {
    const result = await runFenceAction(
      { ...(await deps()), abortSignal: AbortSignal.timeout(FENCE_ACTION_DEADLINE_MS) },
      by,
    );
    log.info('fence activated', { ...result, updatedBy: by });
    return result;
  } catch (err) {
    log.error('fence activation failed; the plan step fails and ARC retries it', {
      updatedBy: by,
      ...errorFields(err),
    });
    throw err;
  }
}
