import { describe, expect, it } from 'vitest';
import { FENCE_KEY } from '../../runtime/shared/fence';
import { only, regionOf, resources, synthAll, testConfig } from '../support/synth';

describe('DynamoDB tables', () => {
  const s = synthAll();
  const tables = resources(s.global, 'aws_dynamodb_table').map(([, t]) => t);
  const control = only(
    s.global,
    'aws_dynamodb_table',
    (t) => t.name === 'payment-processing-payment-control-test',
  );
  const sessions = only(s.global, 'aws_dynamodb_table', (t) => t.name === 'payment-processing-sessions-test');

  it('creates the payment control table (MRSC) and the sessions table; the idempotency table is gone', () => {
    expect(tables.map((t) => t.name).sort()).toEqual([
      'payment-processing-payment-control-test',
      'payment-processing-sessions-test',
    ]);
  });

  it('payment control: multi-Region strong consistency, us-east-2 replica, us-west-2 witness, no TTL or streams', () => {
    expect(control).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'pk',
      attribute: [{ name: 'pk', type: 'S' }],
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: false,
      global_table_witness: { region_name: 'us-west-2' },
    });
    // MRSC supports no TTL; streams are optional and would not reach the replica (provider issue #48213).
    expect(control.ttl).toBeUndefined();
    expect(control.stream_enabled).toBeUndefined();
    expect(control.local_secondary_index).toBeUndefined();
    expect(control.server_side_encryption).toEqual({
      enabled: true,
      kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.data-key_primary_\w+\.arn\}$/),
    });
    expect(control.replica).toEqual([
      {
        region_name: 'us-east-2',
        consistency_mode: 'STRONG',
        kms_key_arn: expect.stringMatching(/^\$\{aws_kms_replica_key\.data-key_replica_\w+\.arn\}$/),
        point_in_time_recovery: true,
        propagate_tags: false,
        deletion_protection_enabled: false,
      },
    ]);
  });

  it('creates the first fence (primary active, epoch 1) once, and never rewrites it', () => {
    const [, item] = resources(s.global, 'aws_dynamodb_table_item')[0] as [string, Record<string, unknown>];
    expect(item).toMatchObject({
      table_name: expect.stringMatching(/^\$\{aws_dynamodb_table\.payment-control_table_\w+\.name\}$/),
      hash_key: 'pk',
      lifecycle: { ignore_changes: ['item'] },
    });
    expect(regionOf(s.global, item)).toBe('us-east-1');
    const text = String(item.item);
    for (const part of [FENCE_KEY, '"us-east-1"', '"N" = "1"', 'timestamp()']) expect(text).toContain(part);
  });

  it('sessions: on-demand, pk, TTL, streams, PITR, CMK, eventually consistent replica', () => {
    expect(sessions).toMatchObject({
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'pk',
      ttl: { attribute_name: 'expiresAt', enabled: true },
      stream_enabled: true,
      stream_view_type: 'NEW_AND_OLD_IMAGES',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: false,
    });
    expect(sessions.replica).toEqual([
      {
        region_name: 'us-east-2',
        kms_key_arn: expect.stringMatching(/^\$\{aws_kms_replica_key\.data-key_replica_\w+\.arn\}$/),
        point_in_time_recovery: true,
        propagate_tags: false,
        deletion_protection_enabled: false,
      },
    ]);
  });

  it('refuses a witness outside the MRSC Region set of the pair (one readable line)', () => {
    expect(() =>
      testConfig({ regions: { primary: 'us-east-1', secondary: 'us-east-2', witness: 'us-west-1' } }),
    ).toThrow(
      /regions\.witness: primary, secondary and witness must be three different regions of one MRSC Region set/,
    );
    expect(() =>
      testConfig({ regions: { primary: 'us-east-1', secondary: 'us-west-2', witness: 'us-west-2' } }),
    ).toThrow(/regions\.witness/);
    expect(
      testConfig({ regions: { primary: 'us-east-1', secondary: 'us-west-2', witness: 'us-east-2' } }).regions
        .witness,
    ).toBe('us-east-2');
  });

  it('tags each replica in us-east-2 with the us-east-2 default tags (Region = us-east-2)', () => {
    const t = synthAll(testConfig({ tags: { CostCenter: 'cc-42' } }));
    const tagSets = resources(t.global, 'aws_dynamodb_tag').map(([, r]) => r);
    const tableNames = resources(t.global, 'aws_dynamodb_table').map(([name]) => name);
    expect(tagSets).toHaveLength(tableNames.length);
    const secondaryProvider = (t.global.provider?.aws ?? []).find((p) => p.region === 'us-east-2');
    const secondaryTags = (secondaryProvider?.default_tags as Array<{ tags: Record<string, string> }>)[0]
      .tags;
    for (const name of tableNames) {
      const tags = tagSets.find((r) => String(r.resource_arn).includes(`aws_dynamodb_table.${name}.replica`));
      expect(tags, name).toBeDefined();
      expect(regionOf(t.global, tags as Record<string, unknown>)).toBe('us-east-2');
      expect(tags).toMatchObject({
        resource_arn: `\${tolist(aws_dynamodb_table.${name}.replica).0.arn}`,
        key: '${each.key}',
        value: '${each.value}',
      });
      expect(tags?.for_each).toEqual(secondaryTags);
      expect(tags?.for_each).toEqual({
        CostCenter: 'cc-42',
        Environment: 'test',
        Purpose: 'payment-processing-dr',
        'DR-Role': 'global',
        Region: 'us-east-2',
      });
    }
  });
});
