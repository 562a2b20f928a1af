import { describe, expect, it } from 'vitest';
import { STACK_ORDER } from '../../src/app';
import { synthAll, testConfig } from '../support/synth';

describe('stacks', () => {
  const s = synthAll();

  it('synthesizes global, primary, secondary and interconnect', () => {
    expect(Object.keys(s)).toEqual([...STACK_ORDER]);
    for (const id of STACK_ORDER) expect(Object.keys(s[id].resource ?? {}).length).toBeGreaterThan(0);
  });

  it('keeps one local state per stack by default', () => {
    for (const id of STACK_ORDER) {
      expect(s[id].terraform?.backend).toEqual({ local: { path: `terraform.${id}.tfstate` } });
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
              // Role-specific parts: the primary's health check (and alarm); the secondary's failover automation.
              .filter((name) => !/^primary-health|^failover_|^alarms_(watchdog|orchestrator)-/.test(name))
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
