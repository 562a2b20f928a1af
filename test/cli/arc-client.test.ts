import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARC_BUDGET, arcClient, ArcError, dataPlaneEndpoint } from '../../cli/lib/arc-client';
import { type HttpRequest, nodeHttpClient } from '../../cli/lib/http';
import { resourceNames } from '../../src/resource-names';
import { type FaultServer, startFaultServer } from '../../scripts/dev/loopback-faults';
import { ArcDouble, type DoubleStep } from '../support/arc-double';
import { testConfig } from '../support/synth';
import { type ArcStub, startArcStub } from './support/arc-stub';

/**
 * cli/lib/arc-client.ts against the loopback stub of the ARC Region switch data plane: per operation, the
 * Region whose endpoint was called, the X-Amz-Target, the JSON body and a SigV4 signature that the independent
 * verifier accepts (scope `<region>/arc-region-switch`); then the errors, retries and bounds.
 */
const ACCOUNT = '123456789012';
const KEY = { accessKeyId: 'AKIDARC', secretAccessKey: 'arc-secret' };
const STEPS: DoubleStep[] = [
  { name: 'fence', type: 'CustomActionLambda', durationMs: 0 },
  { name: 'aurora', type: 'AuroraGlobalDatabase', durationMs: 0 },
];
let double: ArcDouble;
let stub: ArcStub;
let silent: FaultServer;

const fresh = () =>
  new ArcDouble({
    account: ACCOUNT,
    planName: 'payment-processing-test',
    regions: ['us-east-1', 'us-east-2'],
    primaryRegion: 'us-east-1',
    workflows: { 'us-east-2': STEPS, 'us-east-1': STEPS },
    now: Date.now,
    pageSize: 1,
  });

beforeAll(async () => {
  double = fresh();
  stub = await startArcStub({
    double: new Proxy({} as ArcDouble, { get: (_, k) => Reflect.get(double, k, double) }),
    regions: ['us-east-1', 'us-east-2'],
    credentials: [KEY],
    now: Date.now,
  });
  silent = await startFaultServer('silent');
});
afterAll(async () => {
  await stub?.close();
  await silent?.close();
});
afterEach(() => {
  double = fresh();
  stub.requests.length = 0;
});

const client = (over: Partial<Parameters<typeof arcClient>[0]> = {}) =>
  arcClient({
    http: nodeHttpClient,
    credentials: async () => KEY,
    endpoint: (region) => stub.endpoint(region),
    ...over,
  });

describe('the wire protocol, per operation', () => {
  it('every call is a signed JSON 1.0 POST to the data plane of the Region asked', async () => {
    const arc = client();
    const [plan] = await arc.listPlansInRegion('us-east-2');
    expect(plan).toEqual({
      arn: `arn:aws:arc-region-switch::${ACCOUNT}:plan/payment-processing-test:a1b2c3`,
      name: 'payment-processing-test',
      regions: ['us-east-1', 'us-east-2'],
      primaryRegion: 'us-east-1',
    });
    const arn = plan?.arn as string;
    const got = await arc.getPlanInRegion('us-east-1', arn);
    expect(got.workflows.map((w) => [w.workflowTargetRegion, w.steps.map((s) => s.name)])).toEqual([
      ['us-east-2', ['fence', 'aurora']],
      ['us-east-1', ['fence', 'aurora']],
    ]);
    const start = { planArn: arn, targetRegion: 'us-east-2', action: 'activate', mode: 'graceful' } as const;
    const { executionId } = await arc.startPlanExecution('us-east-2', { ...start, comment: 'drill' });
    expect(executionId).toMatch(/^us-east-2\/[0-9a-f]{16}$/);
    const id = { planArn: arn, executionId };
    const execution = await arc.getPlanExecution('us-east-2', id);
    expect(execution).toMatchObject({ executionState: 'completed', mode: 'graceful', comment: 'drill' });
    // Two steps, one per page (pageSize 1): both pages were read.
    expect(execution.stepStates.map((s) => [s.name, s.status])).toEqual([
      ['fence', 'completed'],
      ['aurora', 'completed'],
    ]);
    expect(execution.startTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    const listed = await arc.listPlanExecutions('us-east-2', arn, 5);
    expect(listed.map((e) => e.executionId)).toEqual([executionId]);
    const events = await arc.listPlanExecutionEvents('us-east-2', id);
    expect(events.map((e) => e.type)).toEqual([
      'executionStarted',
      'stepStarted',
      'stepSucceeded',
      'stepStarted',
      'stepSucceeded',
      'executionSucceeded',
    ]);
    const evaluation = await arc.getPlanEvaluationStatus('us-east-2', arn);
    expect(evaluation).toMatchObject({ planArn: arn, region: 'us-east-2', evaluationState: 'passed' });

    const ops = stub.requests.map((r) => [r.op, r.region]);
    expect(ops).toEqual([
      ['ListPlansInRegion', 'us-east-2'],
      ['GetPlanInRegion', 'us-east-1'],
      ['StartPlanExecution', 'us-east-2'],
      ['GetPlanExecution', 'us-east-2'],
      ['GetPlanExecution', 'us-east-2'],
      ['ListPlanExecutions', 'us-east-2'],
      ...Array.from({ length: 6 }, () => ['ListPlanExecutionEvents', 'us-east-2']),
      ['GetPlanEvaluationStatus', 'us-east-2'],
    ]);
    for (const r of stub.requests) {
      expect(r.signature, r.op).toBe('ok');
      expect(r.contentType).toBe('application/x-amz-json-1.0');
      expect(r.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target']));
    }
    expect(stub.requests[0]?.body).toEqual({ maxResults: 100 });
    expect(stub.requests[1]?.body).toEqual({ arn });
    expect(stub.requests[2]?.body).toEqual({ ...start, comment: 'drill' });
    expect(stub.requests[3]?.body).toEqual({ ...id, maxResults: 100 });
    expect(stub.requests[4]?.body).toEqual({ ...id, maxResults: 100, nextToken: '1' });
    expect(stub.requests[5]?.body).toEqual({ planArn: arn, maxResults: 5 });
  });

  it('ListRoute53HealthChecksInRegion: the plan ARN, maxResults 100, every page, each health check decoded', async () => {
    const arc = client();
    const arn = double.planArn;
    const checks = await arc.listRoute53HealthChecksInRegion('us-east-2', arn);
    expect(checks).toEqual([
      {
        hostedZoneId: 'Z0TEST0000000000000',
        recordName: 'payments.example.org',
        region: 'us-east-1',
        healthCheckId: '00000000-0000-4000-8000-000000000001',
        status: 'healthy',
      },
      {
        hostedZoneId: 'Z0TEST0000000000000',
        recordName: 'payments.example.org',
        region: 'us-east-2',
        healthCheckId: '00000000-0000-4000-8000-000000000002',
        status: 'unhealthy',
      },
    ]);
    // pageSize 1: two pages, the second asked with the first's nextToken, both in us-east-2.
    expect(stub.requests.map((q) => [q.region, q.op, q.body, q.signature])).toEqual([
      ['us-east-2', 'ListRoute53HealthChecksInRegion', { arn, maxResults: 100 }, 'ok'],
      ['us-east-2', 'ListRoute53HealthChecksInRegion', { arn, maxResults: 100, nextToken: '1' }, 'ok'],
    ]);
    // Another plan's ARN: not found.
    await expect(
      arc.listRoute53HealthChecksInRegion(
        'us-east-2',
        `arn:aws:arc-region-switch::${ACCOUNT}:plan/other:zzzzzz`,
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('ListRoute53HealthChecksInRegion: a malformed health check is an error, never a default', async () => {
    const arc = client();
    double.healthChecks = [{ hostedZoneId: 'Z1', recordName: 'payments.example.org', region: 'us-east-1' }];
    // No id and no status are allowed (both optional in the model).
    expect(await arc.listRoute53HealthChecksInRegion('us-east-2', double.planArn)).toEqual([
      { hostedZoneId: 'Z1', recordName: 'payments.example.org', region: 'us-east-1' },
    ]);
    double.healthChecks = [{ hostedZoneId: 'Z1', recordName: 'payments.example.org' }];
    await expect(arc.listRoute53HealthChecksInRegion('us-east-2', double.planArn)).rejects.toThrow(
      'arc-region-switch answer without region',
    );
    double.healthChecks = [
      { hostedZoneId: 'Z1', recordName: 'payments.example.org', region: 'us-east-1', status: 'green' },
    ];
    await expect(arc.listRoute53HealthChecksInRegion('us-east-2', double.planArn)).rejects.toThrow(
      'arc-region-switch answer with health check status green',
    );
  });

  it('approve and cancel name the plan, the execution and the step', async () => {
    double = new ArcDouble({
      ...double.o,
      workflows: { 'us-east-2': [{ name: 'approve', type: 'ManualApproval', durationMs: 0 }, ...STEPS] },
    });
    const arc = client();
    const planArn = double.planArn;
    const { executionId } = await arc.startPlanExecution('us-east-2', {
      planArn,
      targetRegion: 'us-east-2',
      action: 'activate',
      mode: 'ungraceful',
    });
    expect((await arc.getPlanExecution('us-east-2', { planArn, executionId })).executionState).toBe(
      'pendingManualApproval',
    );
    await arc.approvePlanExecutionStep('us-east-2', {
      planArn,
      executionId,
      stepName: 'approve',
      approval: 'approve',
      comment: 'go',
    });
    expect(stub.requests.at(-1)).toMatchObject({
      op: 'ApprovePlanExecutionStep',
      region: 'us-east-2',
      body: { planArn, executionId, stepName: 'approve', approval: 'approve', comment: 'go' },
      signature: 'ok',
    });
    // Completed by now: cancelling an ended execution is refused, and named as such.
    const err = await arc
      .cancelPlanExecution('us-east-2', { planArn, executionId, comment: 'stop' })
      .catch((e: unknown) => e);
    expect(stub.requests.at(-1)?.body).toEqual({ planArn, executionId, comment: 'stop' });
    expect(err).toBeInstanceOf(ArcError);
    expect(err).toMatchObject({ name: 'IllegalStateException', $metadata: { httpStatusCode: 400 } });
  });

  it('temporary credentials: the session token is sent and signed', async () => {
    await client({ credentials: async () => ({ ...KEY, sessionToken: 'session-1' }) }).listPlansInRegion(
      'us-east-2',
    );
    expect(stub.requests[0]).toMatchObject({ securityToken: 'session-1', signature: 'ok' });
    expect(stub.requests[0]?.signedHeaders).toContain('x-amz-security-token');
  });

  it('without an override the endpoint is the Regional data plane, signed for that Region', async () => {
    const seen: HttpRequest[] = [];
    const arc = arcClient({
      http: {
        request: async (req) => {
          seen.push(req);
          return { status: 200, headers: {}, body: '{"plans":[]}' };
        },
      },
      credentials: async () => KEY,
    });
    expect(await arc.listPlansInRegion('us-east-2')).toEqual([]);
    expect(dataPlaneEndpoint('us-east-2')).toBe('https://arc-region-switch.us-east-2.api.aws');
    expect(seen[0]?.url).toBe('https://arc-region-switch.us-east-2.api.aws/');
    expect(seen[0]?.headers?.authorization).toMatch(
      /Credential=AKIDARC\/\d{8}\/us-east-2\/arc-region-switch\/aws4_request/,
    );
    expect(seen[0]?.headers?.['x-amz-target']).toBe('ArcRegionSwitch.ListPlansInRegion');
  });

  it('the plan name of the longest environment suffix is a valid plan name', () => {
    const name = resourceNames(testConfig({ environmentSuffix: 'abcdefghijkl' })).regionSwitchPlan;
    // PlanName: length 1-32, pattern from the service model.
    expect(name).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/);
  });
});

describe('errors, retries and bounds', () => {
  it('service errors keep their AWS name and say which call failed, in words', async () => {
    double.denied.add('ListPlansInRegion');
    const err = (await client()
      .listPlansInRegion('us-east-2')
      .catch((e: unknown) => e)) as ArcError;
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toMatch(
      /^ListPlansInRegion \(us-east-2\): access denied \(the operator role lacks this arc-region-switch action on the plan\): User is not authorized/,
    );
    const missing = (await client()
      .getPlanInRegion('us-east-2', `arn:aws:arc-region-switch::${ACCOUNT}:plan/other:zzzzzz`)
      .catch((e: unknown) => e)) as ArcError;
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    // Denied calls are not retried: one request each.
    expect(stub.requests).toHaveLength(2);
  });

  it('reads are retried after throttling and 5xx; writes only after throttling', async () => {
    const arc = client({ random: () => 0 });
    stub.inject('throttle', 'ListPlansInRegion');
    expect(await arc.listPlansInRegion('us-east-2')).toHaveLength(1);
    stub.inject('internal', 'ListPlansInRegion');
    expect(await arc.listPlansInRegion('us-east-2')).toHaveLength(1);
    expect(stub.requests.map((r) => r.op)).toEqual(Array.from({ length: 4 }, () => 'ListPlansInRegion'));

    stub.requests.length = 0;
    const start = {
      planArn: double.planArn,
      targetRegion: 'us-east-2',
      action: 'activate',
      mode: 'graceful',
    } as const;
    stub.inject('internal', 'StartPlanExecution');
    const err = await arc.startPlanExecution('us-east-2', start).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InternalServerException' });
    expect(stub.requests).toHaveLength(1);
    stub.inject('throttle', 'StartPlanExecution');
    expect((await arc.startPlanExecution('us-east-2', start)).executionId).toMatch(/^us-east-2\//);
    expect(stub.requests).toHaveLength(3);
  });

  const narrow = { connectTimeoutMs: 200, attemptTimeoutMs: 300, maxAttempts: 2, callDeadlineMs: 1000 };

  it('a read that meets silence is tried twice and ends within its deadline', async () => {
    stub.inject('silent', 'GetPlanEvaluationStatus', 2);
    const started = Date.now();
    const err = await client({ budget: narrow })
      .getPlanEvaluationStatus('us-east-2', double.planArn)
      .catch((e: unknown) => e);
    const ms = Date.now() - started;
    expect(err).toMatchObject({ name: 'HttpTimeoutError' });
    expect(String((err as Error).message)).toMatch(
      /^GetPlanEvaluationStatus \(us-east-2\): no complete answer/,
    );
    expect(stub.requests).toHaveLength(2);
    expect(ms).toBeLessThan(narrow.callDeadlineMs + 300);
  });

  it('a write that meets silence is not sent again (it may have started an execution)', async () => {
    stub.inject('silent', 'StartPlanExecution');
    const err = await client({ budget: narrow })
      .startPlanExecution('us-east-2', {
        planArn: double.planArn,
        targetRegion: 'us-east-2',
        action: 'activate',
        mode: 'graceful',
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpTimeoutError' });
    expect(stub.requests.map((r) => r.op)).toEqual(['StartPlanExecution']);
  });

  it('the operator budget bounds a call against an endpoint that never answers', async () => {
    const started = Date.now();
    const err = await client({ endpoint: () => silent.url })
      .listPlansInRegion('us-east-2')
      .catch((e: unknown) => e);
    const ms = Date.now() - started;
    console.info(`ListPlansInRegion against silence: ${(err as Error).name} after ${ms} ms`);
    expect(err).toBeInstanceOf(Error);
    expect(ms).toBeGreaterThanOrEqual(ARC_BUDGET.attemptTimeoutMs);
    expect(ms).toBeLessThan(ARC_BUDGET.callDeadlineMs + 500);
  }, 20_000);
});
