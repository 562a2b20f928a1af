import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { watchdogConfigFromEnv } from '../../runtime/failover/config';
import { StateStore } from '../../runtime/failover/state-store';
import {
  invokeWatchdog,
  watchdogCycleBudgetMs,
  watchdogRuntimeFromEnv,
} from '../../runtime/failover/watchdog-handler';
import { BUDGETS, budgetFor, rdsClient, snsClient } from '../../runtime/shared/aws-clients';
import { createOpenLogger, silentSink } from '../../runtime/shared/logger';
import { type FaultServer, freePort, startFaultServer, timed } from '../../scripts/dev/loopback-faults';
import { useTestCredentials } from '../support/credentials';
import { createMotoResources, type MotoResources, SECONDARY, TEST_CREDENTIALS } from './support/moto';

/**
 * One watchdog probe cycle (invokeWatchdog with one probe per run) against real sockets on loopback, with the
 * failover budget profile of the deployed function: the primary's /health that accepts and never answers,
 * AWS endpoints that never answer, an alert topic that never answers. Every cycle must end within its
 * budget (watchdogCycleBudgetMs), and a stall must end it at the first stalled call, far sooner.
 */
const SLACK_MS = 1500;
const PROBE_TIMEOUT_MS = 3000;
let moto: MotoResources;
let silent: FaultServer;
let refusedUrl: string;
useTestCredentials();

beforeAll(async () => {
  moto = await createMotoResources(inject('motoUrl'), 'wdb');
  silent = await startFaultServer('silent');
  refusedUrl = `http://127.0.0.1:${await freePort()}/health`;
});

afterAll(async () => {
  await silent?.close();
  await moto?.close();
});

const env = (overrides: Record<string, string>) => ({
  AWS_REGION: SECONDARY,
  AWS_ENDPOINT_URL: moto.motoUrl,
  PRIMARY_HEALTH_URL: `${silent.url}/health`,
  PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
  FAILURE_THRESHOLD: '3',
  FAILOVER_MODE: 'manual',
  STATE_TABLE: moto.table,
  TOPIC_ARN: moto.topicArn,
  GLOBAL_CLUSTER_ID: 'payment-processing-ledger-global-wdb',
  SECONDARY_CLUSTER_ID: 'payment-processing-ledger-wdb-use2',
  ENVIRONMENT_SUFFIX: 'wdb',
  ...overrides,
});

const budget = watchdogCycleBudgetMs(PROBE_TIMEOUT_MS);
const ddbDeadline = budgetFor(BUDGETS.failover, 'dynamodb').callDeadlineMs;
const rdsDeadline = budgetFor(BUDGETS.failover, 'rds').callDeadlineMs;
const snsDeadline = budgetFor(BUDGETS.failover, 'sns').callDeadlineMs;

describe('one watchdog probe cycle', () => {
  it('has a bounded worst case: the bounded steps in a row', () => {
    expect(budget).toBe(Math.max(PROBE_TIMEOUT_MS, rdsDeadline) + 4 * ddbDeadline + snsDeadline);
    expect(budget).toBe(30_000);
  });

  it.concurrent(
    'the primary /health accepts and never answers: the probe times out, the cycle ends',
    async () => {
      const rt = watchdogRuntimeFromEnv(env({}), silentSink);
      const r = await timed(() => invokeWatchdog(rt, { requestId: 'silent-primary' }));
      console.info(`watchdog cycle, primary silent: ${r.ms.toFixed(0)} ms`);
      expect(r.error).toBeUndefined();
      expect(r.value?.probe).toMatchObject({ ok: false, reason: 'timeout' });
      // The probe and the topology read run in parallel; the state calls answer at once.
      expect(r.ms).toBeLessThan(Math.max(PROBE_TIMEOUT_MS, rdsDeadline) + SLACK_MS);
      expect(r.ms).toBeLessThan(budget);
    },
    60_000,
  );

  it.concurrent(
    'every AWS endpoint accepts and never answers: the cycle fails at its first state call',
    async () => {
      const rt = watchdogRuntimeFromEnv(env({ AWS_ENDPOINT_URL: silent.url }), silentSink);
      const r = await timed(() => invokeWatchdog(rt, { requestId: 'silent-aws' }));
      console.info(`watchdog cycle, AWS silent: ${r.ms.toFixed(0)} ms`);
      expect(r.error).toMatchObject({ name: 'TimeoutError' });
      expect(r.ms).toBeLessThan(Math.max(PROBE_TIMEOUT_MS, rdsDeadline) + ddbDeadline + SLACK_MS);
      expect(r.ms).toBeLessThan(budget);
    },
    60_000,
  );

  it.concurrent(
    'the alert topic never answers: one publish deadline, the alert kept for the next run',
    async () => {
      const config = watchdogConfigFromEnv(env({ PRIMARY_HEALTH_URL: refusedUrl }));
      const target = { region: SECONDARY, endpoint: moto.motoUrl, credentials: TEST_CREDENTIALS };
      const rt = {
        config,
        rds: rdsClient(BUDGETS.failover, target),
        sns: snsClient(BUDGETS.failover, { ...target, endpoint: silent.url }),
        ddb: moto.ddb,
        store: new StateStore(moto.ddb, moto.table),
        log: createOpenLogger({}, { sink: silentSink }),
      };
      const r = await timed(() => invokeWatchdog(rt, { requestId: 'silent-topic' }));
      console.info(`watchdog cycle, topic silent: ${r.ms.toFixed(0)} ms`);
      expect(r.error).toBeUndefined();
      expect(r.value).toMatchObject({ probe: { ok: false }, published: [], unpublished: 1 });
      // One publish deadline plus the state calls to the (shared, busy) emulator.
      expect(r.ms).toBeLessThan(snsDeadline + 2 * SLACK_MS);
      expect(r.ms).toBeLessThan(budget);
      const { record } = await rt.store.load();
      expect(record.pendingAlerts).toHaveLength(1);
      expect(record.pendingAlerts[0]).toMatchObject({
        attempts: 1,
        lastError: expect.stringMatching(/TimeoutError/),
      });
      rt.rds.destroy();
      rt.sns.destroy();
    },
    60_000,
  );
});
