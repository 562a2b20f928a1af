import type { SNSEvent } from 'aws-lambda';
import { BUDGETS, snsClient } from '../shared/aws-clients';
import { lazy } from '../shared/lazy';
import { createLogger, errorFields } from '../shared/logger';
import { parseAlertRelayEnv } from './env';
import { relayAlerts, type RelayDeps } from './relay';

/** Lambda entry point: invoked by the primary region's alert topic (SNS, asynchronous). */
const deps = lazy((): RelayDeps => {
  const s = parseAlertRelayEnv(process.env);
  return {
    // The failover functions' budget: bounded request time, 3 attempts.
    sns: snsClient(BUDGETS.failover, { region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}) }),
    targetTopicArn: s.targetTopicArn,
  };
});

export async function handler(event: SNSEvent): Promise<{ relayed: number }> {
  const log = createLogger({ service: 'alert-relay', region: process.env.AWS_REGION });
  try {
    const result = await relayAlerts(event, await deps());
    log.info('alerts relayed', { count: result.relayed });
    return result;
  } catch (err) {
    log.error('alert relay failed; Lambda retries, then the dead-letter queue keeps it', errorFields(err));
    throw err;
  }
}
