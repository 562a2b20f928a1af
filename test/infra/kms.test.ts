import { describe, expect, it } from 'vitest';
import { parsePolicy, regionOf, resources, synthAll } from '../support/synth';

describe('KMS multi-Region keys', () => {
  const { global: g, primary, secondary } = synthAll();
  const keys = resources(g, 'aws_kms_key');
  const replicas = resources(g, 'aws_kms_replica_key');

  it('creates a data key and an ops key, each a multi-Region primary with yearly rotation', () => {
    expect(keys).toHaveLength(2);
    for (const [, k] of keys) {
      expect(k).toMatchObject({
        multi_region: true,
        enable_key_rotation: true,
        rotation_period_in_days: 365,
      });
      expect(regionOf(g, k)).toBe('us-east-1');
    }
  });

  it('replicates each key into the secondary region with its own policy', () => {
    expect(replicas).toHaveLength(2);
    for (const [, r] of replicas) {
      expect(regionOf(g, r)).toBe('us-east-2');
      expect(String(r.primary_key_arn)).toMatch(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/);
      const statements = parsePolicy(r.policy).Statement;
      expect(JSON.stringify(statements)).toContain('us-east-2.amazonaws.com');
      expect(JSON.stringify(statements)).not.toContain('us-east-1');
    }
  });

  it('allows exactly the named services to use the data key', () => {
    const data = keys.find(([, k]) => String(k.description).includes('-data-'))?.[1];
    const use = parsePolicy(data?.policy).Statement.find((st) => st.Sid === 'UseThroughNamedServices');
    expect(use?.Condition).toMatchObject({
      StringEquals: {
        'kms:ViaService': [
          'rds.us-east-1.amazonaws.com',
          'dynamodb.us-east-1.amazonaws.com',
          's3.us-east-1.amazonaws.com',
          'secretsmanager.us-east-1.amazonaws.com',
          'lambda.us-east-1.amazonaws.com',
        ],
      },
    });
    const sids = parsePolicy(data?.policy).Statement.map((st) => st.Sid);
    expect(sids).toEqual(['KeyAdministration', 'UseThroughNamedServices', 'GrantsForAwsResources']);
  });

  it('lets CloudWatch Logs (scoped to this account) and CloudWatch alarms use the ops key', () => {
    const ops = keys.find(([, k]) => String(k.description).includes('-ops-'))?.[1];
    const st = parsePolicy(ops?.policy).Statement;
    const logs = st.find((x) => x.Sid === 'CloudWatchLogs');
    expect(logs?.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(JSON.stringify(logs?.Condition)).toContain(
      'arn:aws:logs:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:log-group:*',
    );
    expect(st.find((x) => x.Sid === 'CloudWatchAlarmsPublishToEncryptedTopics')?.Principal).toEqual({
      Service: 'cloudwatch.amazonaws.com',
    });
    expect(JSON.stringify(st.find((x) => x.Sid === 'UseThroughNamedServices'))).toContain(
      'sns.us-east-1.amazonaws.com',
    );
  });

  const policyOf = (kind: 'data' | 'ops', region: 'us-east-1' | 'us-east-2') => {
    const all = [...keys, ...replicas].map(([, k]) => k);
    const key = all.find((k) => String(k.description).includes(`-${kind}-`) && regionOf(g, k) === region);
    if (!key) throw new Error(`no ${kind} key in ${region}`);
    return parsePolicy(key.policy).Statement;
  };
  const viaServices = (statements: Array<Record<string, unknown>>) =>
    (
      statements.find((st) => st.Sid === 'UseThroughNamedServices')?.Condition as {
        StringEquals: Record<string, unknown>;
      }
    ).StringEquals['kms:ViaService'];

  it.each(['us-east-1', 'us-east-2'] as const)(
    'data key in %s: exactly its statements and exactly the data services of that region',
    (region) => {
      const st = policyOf('data', region);
      expect(st.map((x) => x.Sid)).toEqual([
        'KeyAdministration',
        'UseThroughNamedServices',
        'GrantsForAwsResources',
      ]);
      expect(viaServices(st)).toEqual(
        ['rds', 'dynamodb', 's3', 'secretsmanager', 'lambda'].map((x) => `${x}.${region}.amazonaws.com`),
      );
      const principals = st.map((x) => x.Principal);
      expect(principals).toEqual([
        { AWS: 'arn:aws:iam::${data.aws_caller_identity.caller-identity.account_id}:root' },
        { AWS: 'arn:aws:iam::${data.aws_caller_identity.caller-identity.account_id}:root' },
        { AWS: 'arn:aws:iam::${data.aws_caller_identity.caller-identity.account_id}:root' },
      ]);
    },
  );

  it.each(['us-east-1', 'us-east-2'] as const)(
    'ops key in %s: exactly its statements, the messaging services, CloudWatch Logs of that region, alarms',
    (region) => {
      const st = policyOf('ops', region);
      expect(st.map((x) => x.Sid)).toEqual([
        'KeyAdministration',
        'UseThroughNamedServices',
        'GrantsForAwsResources',
        'CloudWatchLogs',
        'CloudWatchAlarmsPublishToEncryptedTopics',
      ]);
      expect(viaServices(st)).toEqual([`sns.${region}.amazonaws.com`, `sqs.${region}.amazonaws.com`]);
      const services = st.filter((x) => x.Principal && 'Service' in (x.Principal as object));
      expect(services.map((x) => x.Principal)).toEqual([
        { Service: `logs.${region}.amazonaws.com` },
        { Service: 'cloudwatch.amazonaws.com' },
      ]);
      expect(st[3].Condition).toEqual({
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:\${data.aws_caller_identity.caller-identity.account_id}:log-group:*`,
        },
      });
      expect(st[4].Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    },
  );

  it.each(['data', 'ops'] as const)(
    '%s key: administration grants no use of the key, and grants are only for AWS resources of named services',
    (kind) => {
      for (const region of ['us-east-1', 'us-east-2'] as const) {
        const st = policyOf(kind, region);
        const admin = st.find((x) => x.Sid === 'KeyAdministration') as { Action: string[] };
        // No action pattern of the administration statement covers CreateGrant (or any use of the key).
        const covers = (action: string) =>
          admin.Action.some((a) => new RegExp(`^${a.replace(/\*/g, '.*')}$`).test(action));
        for (const use of [
          'kms:CreateGrant',
          'kms:Decrypt',
          'kms:Encrypt',
          'kms:GenerateDataKey',
          'kms:ReEncryptTo',
        ])
          expect(covers(use), `${region}: ${use}`).toBe(false);
        expect(covers('kms:CreateAlias')).toBe(true);
        const grants = st.find((x) => x.Sid === 'GrantsForAwsResources');
        expect(grants?.Action).toEqual(['kms:CreateGrant', 'kms:ListGrants']);
        expect(grants?.Condition).toMatchObject({
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          StringEquals: { 'kms:ViaService': viaServices(st) },
        });
        // Every statement that lets the account use the key names the services it may go through.
        for (const x of st.filter((y) => JSON.stringify(y.Principal).includes(':root'))) {
          if (x.Sid === 'KeyAdministration') continue;
          expect(JSON.stringify(x.Condition), String(x.Sid)).toContain('kms:ViaService');
        }
      }
    },
  );

  it('gives both keys the same alias in both regions, which the regional stacks look up locally', () => {
    const aliases = resources(g, 'aws_kms_alias').map(([, a]) => a.name);
    expect(aliases.sort()).toEqual([
      'alias/payment-processing-data-test',
      'alias/payment-processing-data-test',
      'alias/payment-processing-ops-test',
      'alias/payment-processing-ops-test',
    ]);
    for (const stack of [primary, secondary]) {
      const lookups = Object.values(stack.data?.aws_kms_key ?? {}).map((d) => d.key_id);
      expect(lookups.sort()).toEqual([
        'alias/payment-processing-data-test',
        'alias/payment-processing-ops-test',
      ]);
    }
    const dataAliases = resources(g, 'aws_kms_alias').filter(
      ([, a]) => a.name === 'alias/payment-processing-data-test',
    );
    expect(dataAliases.map(([, a]) => regionOf(g, a)).sort()).toEqual(['us-east-1', 'us-east-2']);
  });
});
