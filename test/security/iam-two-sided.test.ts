import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '../../src/bundling/functions';
import { parsePolicy, resources, synthAll, testConfig, type TfJson } from '../support/synth';
import { commandsReachableFrom, NEEDS_NO_PERMISSION, reachable } from '../support/iam-scan';

/**
 * Two-sided: every action a role is granted is sent by its code (or listed below with why it is needed without
 * an SDK call), and every action the code sends is granted. Against the synthesized JSON.
 */
const s = synthAll(testConfig({ failover: { mode: 'manual' } }));
const policyOf = (st: TfJson, fragment: string) =>
  resources(st, 'aws_iam_role_policy')
    .filter(([, p]) => String(p.role).includes(fragment))
    .flatMap(([, p]) => parsePolicy(p.policy).Statement as Array<Record<string, unknown>>);

/** Granted without an SDK call of the code, and why. */
const BASE: Record<string, string> = {
  'logs:CreateLogStream': 'Lambda writes the function logs with the execution role',
  'logs:PutLogEvents': 'Lambda writes the function logs with the execution role',
  'xray:PutTraceSegments': 'active tracing: Lambda sends the segments with the execution role',
  'xray:PutTelemetryRecords': 'active tracing',
  'kms:Decrypt':
    'used by DynamoDB / S3 / SQS / SNS / Secrets Manager on the caller\u2019s behalf (kms:ViaService)',
  'kms:Encrypt': 'used by DynamoDB on the caller\u2019s behalf (kms:ViaService)',
  'kms:GenerateDataKey': 'used by S3 / SQS / SNS on the caller\u2019s behalf (kms:ViaService)',
  'kms:GenerateDataKey*': 'used by DynamoDB / SNS on the caller\u2019s behalf (kms:ViaService)',
  'kms:DescribeKey': 'used by DynamoDB on the caller\u2019s behalf (kms:ViaService)',
};
const DB = {
  'rds-db:connect': 'IAM database authentication: the token is signed locally (@aws-sdk/rds-signer)',
};
const ASYNC = {
  'sqs:SendMessage': 'Lambda sends failed asynchronous events to the queue with the execution role',
};
const NEVER_CALLED = {
  'dynamodb:Scan': 'scanReservations (reservations.ts) is reached by file, called only by recovery (drctl)',
};
/** The health check imports runtime/shared/fence.ts for readFence; only the plan's fence step calls activateRegion. */
const HEALTH_NEVER_CALLED = {
  'dynamodb:PutItem':
    'activateRegion (runtime/shared/fence.ts) is reached by file; the health check only reads',
};

const ROLES: Array<{
  role: string;
  stack: keyof typeof s;
  fragment: string;
  entry: string;
  extra: Record<string, string>;
  unsent?: Record<string, string>;
}> = [
  ...(['primary', 'secondary'] as const).flatMap((stack) => [
    {
      role: 'payment',
      stack,
      fragment: 'payment-service_payment_role',
      entry: LAMBDA_FUNCTIONS['payment-api'].entry,
      extra: { ...DB, ...ASYNC },
      unsent: NEVER_CALLED,
    },
    {
      role: 'health',
      stack,
      fragment: 'health-service_health_role',
      entry: LAMBDA_FUNCTIONS.health.entry,
      extra: DB,

      unsent: HEALTH_NEVER_CALLED,
    },
    {
      role: 'probe',
      stack,
      fragment: 'health-service_probe_role',
      entry: LAMBDA_FUNCTIONS.probe.entry,
      extra: DB,

      unsent: HEALTH_NEVER_CALLED,
    },
    {
      role: 'migrate',
      stack,
      fragment: 'payment-service_migrate_role',
      entry: LAMBDA_FUNCTIONS.migrate.entry,
      extra: DB,
    },
  ]),
  {
    role: 'alert-relay',
    stack: 'secondary',
    fragment: 'alert-relay_role',
    entry: LAMBDA_FUNCTIONS['alert-relay'].entry,
    extra: ASYNC,
  },
  {
    role: 'detector us-east-2',
    stack: 'failover',
    fragment: 'detection_us-east-2_detector_role',
    entry: LAMBDA_FUNCTIONS.detector.entry,
    extra: { ...ASYNC, 'execute-api:Invoke': 'the signed probe is an HTTPS request, not an SDK command' },
  },
  {
    role: 'detector us-west-2',
    stack: 'failover',
    fragment: 'detection_us-west-2_detector_role',
    entry: LAMBDA_FUNCTIONS.detector.entry,
    extra: { ...ASYNC, 'execute-api:Invoke': 'the signed probe is an HTTPS request, not an SDK command' },
  },
];

const glob = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

describe('every IAM action of a function role is sent by its code, and every sent action is granted', () => {
  it.each(ROLES)('$role ($stack)', ({ stack, fragment, entry, extra, unsent = {} }) => {
    const sts = policyOf(s[stack], fragment);
    expect(sts.length, fragment).toBeGreaterThan(0);
    const sent = new Set(commandsReachableFrom(entry).map((c) => c.action));
    const granted = new Set(
      sts.filter((x) => x.Effect === 'Allow').flatMap((x) => [x.Action].flat() as string[]),
    );
    const unused = [...granted].filter((a) => !sent.has(a) && !(a in BASE) && !(a in extra));
    expect(unused, 'granted but never sent').toEqual([]);
    const missing = [...sent]
      .filter((a) => !NEEDS_NO_PERMISSION.has(a) && !(a in unsent))
      .filter((a) => ![...granted].some((g) => glob(g).test(a)));
    // The fence's PutItem (activateRegion) is reached by file from the payment function but only the fence step
    // sends it; the payment function's own PutItem (reserve) needs the same action on the same table.
    expect(missing, 'sent but not granted').toEqual([]);
  });
});

describe('the never-sent exceptions stay true', () => {
  it.each([LAMBDA_FUNCTIONS.health.entry, LAMBDA_FUNCTIONS.probe.entry])(
    '%s never calls activateRegion',
    (entry) => {
      const callers = reachable(entry)
        .filter((f) => !f.endsWith('runtime/shared/fence.ts'))
        .filter((f) => /\bactivateRegion\(/.test(readFileSync(f, 'utf8')));
      expect(callers).toEqual([]);
    },
  );
});
