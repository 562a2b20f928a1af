import { describe, expect, it } from 'vitest';
import { regionOf, resources, synthAll, testConfig } from '../support/synth';

describe('DynamoDB global tables', () => {
  const s = synthAll();
  const tables = resources(s.global, 'aws_dynamodb_table').map(([, t]) => t);

  it('creates the sessions and idempotency tables', () => {
    expect(tables.map((t) => t.name).sort()).toEqual([
      'payment-processing-idempotency-test',
      'payment-processing-sessions-test',
    ]);
  });

  it.each(['payment-processing-idempotency-test', 'payment-processing-sessions-test'])(
    '%s: on-demand, pk, TTL, streams, PITR, CMK',
    (name) => {
      const t = tables.find((x) => x.name === name) as Record<string, unknown>;
      expect(t).toMatchObject({
        billing_mode: 'PAY_PER_REQUEST',
        hash_key: 'pk',
        attribute: [{ name: 'pk', type: 'S' }],
        ttl: { attribute_name: 'expiresAt', enabled: true },
        stream_enabled: true,
        stream_view_type: 'NEW_AND_OLD_IMAGES',
        point_in_time_recovery: { enabled: true },
        deletion_protection_enabled: false,
      });
      expect(t.server_side_encryption).toEqual({
        enabled: true,
        kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.data-key_primary_\w+\.arn\}$/),
      });
    },
  );

  it('replicates each table to us-east-2 (2019.11.21 replicas) with the replica CMK, PITR, destroyable', () => {
    for (const t of tables) {
      expect(t.replica).toEqual([
        {
          region_name: 'us-east-2',
          kms_key_arn: expect.stringMatching(/^\$\{aws_kms_replica_key\.data-key_replica_\w+\.arn\}$/),
          point_in_time_recovery: true,
          // Not propagated: the table's tags are the us-east-1 provider's (Region = us-east-1).
          propagate_tags: false,
          deletion_protection_enabled: false,
        },
      ]);
    }
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
      // Exactly what the us-east-2 provider tags everything else with, custom tags included.
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
