import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAwsClients } from '../../cli/lib/aws';
import { ARC_BUDGET } from '../../cli/lib/arc-client';
import { type FaultServer, startFaultServer } from '../../scripts/dev/loopback-faults';
import { useTestCredentials } from '../support/credentials';
import { drctl, uniqueSuffix } from './support/cli';

/**
 * drctl's Region switches with the real client factory against a secondary region whose endpoints (ARC Region
 * switch's data plane included) accept connections and never answer: the command must end within one call
 * deadline with one line saying what could not be done and that nothing changed (it used to hang with no
 * output until killed).
 */
let silent: FaultServer;
useTestCredentials();

beforeAll(async () => {
  silent = await startFaultServer('silent');
});

afterAll(async () => {
  await silent?.close();
});

describe('drctl failover against a stalled secondary region', () => {
  it('ends after one call deadline with one line, exit 1, nothing changed', async () => {
    const suffix = uniqueSuffix();
    const started = Date.now();
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes'], {
      clients: (o) => defaultAwsClients({ ...o, endpoints: { 'us-east-2': silent.url } }),
    });
    const ms = Date.now() - started;
    console.info(`drctl failover, us-east-2 silent: exit ${r.code} in ${ms} ms`);
    expect(r.code).toBe(1);
    expect(r.stderrLines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^drctl: the Region switch plan payment-processing-${suffix} could not be looked up in us-east-2 \\(HttpTimeoutError: ListPlansInRegion \\(us-east-2\\): no complete answer within \\d+ ms\\); nothing was changed$`,
        ),
      ),
    ]);
    expect(ms).toBeLessThan(ARC_BUDGET.callDeadlineMs + 2000);
  }, 30_000);
});
