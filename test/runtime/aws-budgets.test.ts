import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeGlobalClustersCommand } from '@aws-sdk/client-rds';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsService,
  budgetFor,
  BUDGETS,
  type BudgetProfile,
  cloudwatchClient,
  documentClient,
  rdsClient,
  s3Client,
  snsClient,
} from '../../runtime/shared/aws-clients';
import { type FaultServer, startFaultServer, timed } from '../../scripts/dev/loopback-faults';

/**
 * The call budgets of runtime/shared/aws-clients.ts against real sockets on loopback: a server that accepts
 * and never answers, one that resets, one that stalls mid-body. Each call must end by its deadline (the
 * slack allows for a loaded machine, never for a second attempt's worth), and a per-attempt timeout must fail
 * the attempt rather than only warn.
 */
const SLACK_MS = 750;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let silent: FaultServer;
let reset: FaultServer;
let stallBody: FaultServer;

beforeAll(async () => {
  [silent, reset, stallBody] = await Promise.all([
    startFaultServer('silent'),
    startFaultServer('reset'),
    startFaultServer('stall-body'),
  ]);
});

afterAll(async () => {
  await Promise.all([silent?.close(), reset?.close(), stallBody?.close()]);
});

type Call = (profile: BudgetProfile, endpoint: string) => { run: () => Promise<unknown>; destroy(): void };
const target = (endpoint: string) => ({ region: 'us-east-2', endpoint, credentials });
const calls: Record<'dynamodb' | 's3' | 'sns' | 'rds' | 'cloudwatch', Call> = {
  cloudwatch: (p, e) => {
    const c = cloudwatchClient(p, target(e));
    return {
      run: () =>
        c.send(new PutMetricDataCommand({ Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 1 }] })),
      destroy: () => c.destroy(),
    };
  },
  dynamodb: (p, e) => {
    const c = documentClient(p, target(e));
    return {
      run: () => c.send(new GetCommand({ TableName: 't', Key: { pk: 'k' } })),
      destroy: () => c.destroy(),
    };
  },
  s3: (p, e) => {
    const c = s3Client(p, target(e));
    return { run: () => c.send(new ListBucketsCommand({})), destroy: () => c.destroy() };
  },
  sns: (p, e) => {
    const c = snsClient(p, target(e));
    return {
      run: () =>
        c.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-2:123456789012:t', Message: 'm' })),
      destroy: () => c.destroy(),
    };
  },
  rds: (p, e) => {
    const c = rdsClient(p, target(e));
    return { run: () => c.send(new DescribeGlobalClustersCommand({})), destroy: () => c.destroy() };
  },
};

describe('every call ends by its deadline', () => {
  const cases: Array<[keyof typeof BUDGETS, keyof typeof calls]> = [
    ['paymentApi', 'dynamodb'],
    ['paymentApi', 's3'],
    ['failover', 'dynamodb'],
    ['failover', 'sns'],
    ['failover', 'cloudwatch'],
    ['operator', 'rds'],
  ];
  it.concurrent.each(cases)(
    '%s %s against a server that never answers',
    async (profile, service) => {
      const budget = budgetFor(BUDGETS[profile], service as AwsService);
      const call = calls[service](BUDGETS[profile], silent.url);
      const r = await timed(call.run);
      call.destroy();
      expect(r.error).toMatchObject({ name: 'TimeoutError' });
      // The first attempt's own timeout fires before the deadline: the whole call never waits longer.
      const bound = Math.min(budget.callDeadlineMs, budget.maxAttempts * (budget.attemptTimeoutMs + 100));
      expect(r.ms).toBeGreaterThan(Math.min(budget.attemptTimeoutMs, budget.callDeadlineMs) - 50);
      expect(r.ms).toBeLessThan(bound + SLACK_MS);
    },
    20_000,
  );

  it('a per-attempt timeout fails the attempt (not only a warning) and is retried with backoff', async () => {
    const before = silent.connections;
    const profile: BudgetProfile = {
      connectTimeoutMs: 500,
      attemptTimeoutMs: 400,
      maxAttempts: 3,
      callDeadlineMs: 60_000,
    };
    const call = calls.dynamodb(profile, silent.url);
    const r = await timed(call.run);
    call.destroy();
    expect(r.error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 3 } });
    expect(String((r.error as Error).message)).toMatch(/400 ms requestTimeout/);
    expect(silent.connections - before).toBe(3);
    expect(r.ms).toBeGreaterThan(1150);
    expect(r.ms).toBeLessThan(1200 + SLACK_MS);
  });

  it('a connection reset fails fast after the bounded retries', async () => {
    const before = reset.connections;
    const call = calls.dynamodb(BUDGETS.failover, reset.url);
    const r = await timed(call.run);
    call.destroy();
    expect(r.error).toBeDefined();
    expect(reset.connections - before).toBe(BUDGETS.failover.maxAttempts);
    expect(r.ms).toBeLessThan(1000);
  });

  it('a body that stops mid-way is cut at the deadline too', async () => {
    const call = calls.dynamodb(BUDGETS.paymentApi, stallBody.url);
    const r = await timed(call.run);
    call.destroy();
    expect(r.error).toMatchObject({ name: 'TimeoutError' });
    expect(r.ms).toBeLessThan(BUDGETS.paymentApi.callDeadlineMs + SLACK_MS);
  });

  it("the caller's own abort signal still ends the call at once", async () => {
    const c = documentClient(BUDGETS.migrate, target(silent.url));
    const r = await timed(() =>
      c.send(new GetCommand({ TableName: 't', Key: { pk: 'k' } }), { abortSignal: AbortSignal.timeout(200) }),
    );
    c.destroy();
    expect(r.error).toMatchObject({ name: 'AbortError' });
    expect(r.ms).toBeLessThan(200 + SLACK_MS);
  });
});

describe('the profiles', () => {
  it('never let the attempts outlast the deadline by more than one attempt, and bound every field', () => {
    for (const [name, profile] of Object.entries(BUDGETS)) {
      for (const service of ['dynamodb', 'rds', 's3', 'sns', 'sts'] as AwsService[]) {
        const b = budgetFor(profile, service);
        expect(b.connectTimeoutMs, name).toBeLessThanOrEqual(b.attemptTimeoutMs);
        expect(b.attemptTimeoutMs, name).toBeLessThanOrEqual(b.callDeadlineMs);
        expect(b.maxAttempts, name).toBeGreaterThanOrEqual(1);
      }
    }
    // drctl's RDS calls: one long attempt (it polls them at its own pace).
    expect(budgetFor(BUDGETS.operator, 'rds').maxAttempts).toBe(1);
  });
});
