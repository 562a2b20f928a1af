import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktn';
import { describe, expect, it } from 'vitest';
import { buildApp, STACK_ORDER } from '../../src/app';
import { LOCAL_STATE_DIR } from '../../src/stacks/dr-stack';
import { allResources, synthAll, testBundles, testConfig, type TfJson } from '../support/synth';

describe('stacks', () => {
  const s = synthAll();

  it('synthesizes global, primary, secondary and interconnect', () => {
    expect(Object.keys(s)).toEqual([...STACK_ORDER]);
    for (const id of STACK_ORDER) expect(Object.keys(s[id].resource ?? {}).length).toBeGreaterThan(0);
  });

  it('keeps one local state per stack by default, outside the synthesized folders synth replaces', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'out-'));
    const { app, ...stacks } = buildApp(testConfig(), { outdir, bundles: testBundles() });
    void app;
    for (const id of STACK_ORDER) {
      const local = (JSON.parse(Testing.synth(stacks[id])) as TfJson).terraform?.backend?.local as
        { path: string } | undefined;
      // Terraform resolves the path from the stack folder it runs in.
      expect(resolve(outdir, 'stacks', id, local?.path ?? '')).toBe(
        resolve(LOCAL_STATE_DIR, `${id}.tfstate`),
      );
      expect(local?.path.startsWith('/')).toBe(false);
    }
  });

  it('puts each S3 state in the region the stack must stay manageable from', () => {
    const c = testConfig({
      backend: { type: 's3', bucketPrefix: 'acme-tfstate', kmsKeyIds: { 'us-east-2': 'alias/tf' } },
    });
    const t = synthAll(c);
    const backend = (id: (typeof STACK_ORDER)[number]) =>
      t[id].terraform?.backend?.s3 as Record<string, unknown>;
    expect(backend('primary')).toMatchObject({
      bucket: 'acme-tfstate-use1',
      region: 'us-east-1',
      encrypt: true,
      use_lockfile: true,
    });
    expect(backend('primary').kms_key_id).toBeUndefined();
    expect(backend('secondary')).toMatchObject({
      bucket: 'acme-tfstate-use2',
      region: 'us-east-2',
      kms_key_id: 'alias/tf',
    });
    // Global and interconnect resources are managed from the region that survives a primary outage.
    expect(backend('global')).toMatchObject({ bucket: 'acme-tfstate-use2', region: 'us-east-2' });
    expect(backend('interconnect')).toMatchObject({ region: 'us-east-2' });
    const keys = STACK_ORDER.map((id) => backend(id).key);
    expect(new Set(keys).size).toBe(STACK_ORDER.length);
    expect(keys[0]).toBe('payments-dr/test/global.tfstate');
  });

  it('tags everything through provider default tags (Environment, Purpose, DR-Role, Region + extra)', () => {
    const t = synthAll(testConfig({ tags: { CostCenter: 'cc-42' } }));
    for (const id of STACK_ORDER) {
      const providers = t[id].provider?.aws ?? [];
      expect(providers.length).toBeGreaterThan(0);
      for (const p of providers) {
        const tags = (p.default_tags as Array<{ tags: Record<string, string> }>)[0].tags;
        expect(tags).toEqual({
          CostCenter: 'cc-42',
          Environment: 'test',
          Purpose: 'payment-processing-dr',
          'DR-Role': id,
          Region: p.region,
        });
      }
    }
  });

  /** Each output and the resource attribute (or literal) it must carry. */
  const regionalOutputs = {
    vpc_id: /^\$\{aws_vpc\.network_vpc_\w+\.id\}$/,
    ledger_cluster_id: /^\$\{aws_rds_cluster\.ledger_cluster_\w+\.cluster_identifier\}$/,
    // Derived from the reader endpoint: Aurora returns no Endpoint for a global database secondary.
    ledger_writer_endpoint:
      /^\$\{replace\(aws_rds_cluster\.ledger_cluster_\w+\.reader_endpoint, "\.cluster-ro-", "\.cluster-"\)\}$/,
    ledger_reader_endpoint: /^\$\{aws_rds_cluster\.ledger_cluster_\w+\.reader_endpoint\}$/,
    receipts_bucket: /^\$\{aws_s3_bucket\.receipts_bucket_\w+\.bucket\}$/,
    api_url: /^https:\/\/payments\.example\.com$/,
    regional_api_url: /^https:\/\/payments-use[12]\.example\.com$/,
  };
  const expectedOutputs: Record<(typeof STACK_ORDER)[number], Record<string, RegExp>> = {
    global: {
      operator_role_arn: /^\$\{aws_iam_role\.operator_[\w-]+\.arn\}$/,
      global_cluster_id: /^\$\{aws_rds_global_cluster\.ledger_global_\w+\.global_cluster_identifier\}$/,
      global_writer_endpoint: /^\$\{aws_rds_global_cluster\.ledger_global_\w+\.endpoint\}$/,
      payment_control_table_name: /^\$\{aws_dynamodb_table\.payment-control_table_\w+\.name\}$/,
      payment_control_table_arn: /^\$\{aws_dynamodb_table\.payment-control_table_\w+\.arn\}$/,
      sessions_table_name: /^\$\{aws_dynamodb_table\.sessions_table_\w+\.name\}$/,
      sessions_table_arn: /^\$\{aws_dynamodb_table\.sessions_table_\w+\.arn\}$/,
    },
    primary: {
      ...regionalOutputs,
      ledger_secret_arn: /^\$\{aws_secretsmanager_secret\.ledger-credentials_secret_\w+\.arn\}$/,
    },
    secondary: regionalOutputs,
    interconnect: { peering_connection_id: /^\$\{aws_vpc_peering_connection\.peering\.id\}$/ },
    failover: {
      region_switch_plan_arn: /^\$\{aws_arcregionswitch_plan\.region-switch_plan_\w+\.arn\}$/,
      region_switch_plan_name: /^payment-processing-test$/,
      health_check_id_us_east_1:
        /^\$\{one\(\[for hc in data\.aws_arcregionswitch_route53_health_checks\.plan-health-checks\.health_checks : hc\.health_check_id if hc\.region == "us-east-1"\]\)\}$/,
      health_check_id_us_east_2: /hc\.region == "us-east-2"/,
    },
  };
  const outputs = (stack: TfJson) => stack.output ?? {};

  it.each(STACK_ORDER)('%s: exposes the outputs operators and the runbooks use', (id) => {
    const out = outputs(s[id]);
    for (const [name, value] of Object.entries(expectedOutputs[id])) {
      expect(out[name]?.value, `${id}.${name}`).toMatch(value);
    }
  });

  it('exposes both subnets lists, both key ARNs per region and both replication roles', () => {
    for (const id of ['primary', 'secondary'] as const) {
      const subnets = outputs(s[id]).private_subnet_ids?.value as string[];
      expect(subnets).toHaveLength(3);
      for (const x of subnets) expect(x).toMatch(/^\$\{aws_subnet\.network_private-\d_\w+\.id\}$/);
    }
    // The secondary never creates the master secret: it must not claim an output for it.
    expect(outputs(s.secondary).ledger_secret_arn).toBeUndefined();
    for (const name of ['data_key_arns', 'ops_key_arns']) {
      const byRegion = outputs(s.global)[name]?.value as Record<string, string>;
      expect(Object.keys(byRegion).sort(), name).toEqual(['us-east-1', 'us-east-2']);
      expect(byRegion['us-east-1']).toMatch(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/);
      expect(byRegion['us-east-2']).toMatch(/^\$\{aws_kms_replica_key\.[\w-]+\.arn\}$/);
    }
    const roles = outputs(s.interconnect).receipts_replication_roles?.value as string[];
    expect(roles).toEqual([
      expect.stringMatching(/^\$\{aws_iam_role\.receipts-forward_role_\w+\.arn\}$/),
      expect.stringMatching(/^\$\{aws_iam_role\.receipts-back_role_\w+\.arn\}$/),
    ]);
  });

  it('keeps every name within its AWS length limit with the longest environment suffix (12)', () => {
    const t = synthAll(testConfig({ environmentSuffix: 'abcdefghijkl' }));
    // Longest possible account id in bucket names: 12 digits.
    const literal = (v: unknown) =>
      typeof v === 'string'
        ? v.replace('${data.aws_caller_identity.caller-identity.account_id}', '0'.repeat(12))
        : '';
    const limits: Array<[type: string, key: string, max: number]> = [
      ['aws_s3_bucket', 'bucket', 63],
      ['aws_iam_role', 'name', 64],
      ['aws_rds_cluster', 'cluster_identifier', 63],
      ['aws_rds_cluster_instance', 'identifier', 63],
      ['aws_rds_global_cluster', 'global_cluster_identifier', 63],
      ['aws_db_subnet_group', 'name', 255],
      ['aws_lambda_function', 'function_name', 64],
      ['aws_cloudwatch_event_rule', 'name', 64],
      ['aws_sqs_queue', 'name', 80],
      ['aws_security_group', 'name', 255],
    ];
    const failures: string[] = [];
    let checked = 0;
    for (const { stack, type, attrs } of allResources(t)) {
      for (const [limitType, key, max] of limits) {
        if (type !== limitType) continue;
        const name = literal(attrs[key]);
        expect(name, `${stack}/${type}.${key}`).toContain('abcdefghijkl');
        checked++;
        if (name.length > max) failures.push(`${stack}/${type}.${key} ${name} (${name.length} > ${max})`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  it('gives each regional stack exactly one provider, in its own region', () => {
    expect(s.primary.provider?.aws.map((p) => p.region)).toEqual(['us-east-1']);
    expect(s.secondary.provider?.aws.map((p) => p.region)).toEqual(['us-east-2']);
  });

  it('never lets the secondary stack read another stack state or call the primary region', () => {
    expect(JSON.stringify(s.secondary)).not.toContain('terraform_remote_state');
    expect(s.secondary.data?.terraform_remote_state).toBeUndefined();
    // One provider, in us-east-2: every resource and data source of the stack talks to us-east-2 only.
    expect(s.secondary.provider?.aws).toHaveLength(1);
    expect(s.secondary.provider?.aws[0].region).toBe('us-east-2');
    for (const block of [s.secondary.resource ?? {}, s.secondary.data ?? {}]) {
      for (const byName of Object.values(block)) {
        for (const attrs of Object.values(byName)) {
          expect(attrs.region ?? 'us-east-2').toBe('us-east-2');
          expect(attrs.provider === undefined || attrs.provider === 'aws').toBe(true);
        }
      }
    }
  });

  it('builds both regions from the same construct (same resource shape, region-specific values)', () => {
    const shape = (id: 'primary' | 'secondary') =>
      Object.fromEntries(
        Object.entries(s[id].resource ?? {})
          .map(([type, r]) => [
            type,
            Object.keys(r)
              // Role-specific parts: the primary's health check (and alarm); the secondary's failover automation
              // and the relay of the primary's alerts into the secondary region (with their alarms).
              .filter(
                (name) =>
                  !/^primary-health|^failover_|^alert-relay_|^alarms_(watchdog|orchestrator|alert-relay)-/.test(
                    name,
                  ),
              )
              .sort(),
          ])
          .filter(([, names]) => names.length > 0),
      );
    // The primary alone creates the master credentials (the secondary cluster inherits them) and the
    // Route 53 health check of the primary with its alarm.
    const primaryOnly = [
      'aws_secretsmanager_secret',
      'aws_secretsmanager_secret_version',
      'aws_route53_health_check',
    ];
    const primaryShape = Object.fromEntries(
      Object.entries(shape('primary')).filter(([t]) => !primaryOnly.includes(t)),
    );
    expect(shape('secondary')).toEqual(primaryShape);
  });
});
