import { describe, expect, it } from 'vitest';
import { resources, synthAll } from '../support/synth';

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

  it('replicates each table to us-east-2 (2019.11.21 replicas) with the replica CMK and PITR', () => {
    for (const t of tables) {
      expect(t.replica).toEqual([
        {
          region_name: 'us-east-2',
          kms_key_arn: expect.stringMatching(/^\$\{aws_kms_replica_key\.data-key_replica_\w+\.arn\}$/),
          point_in_time_recovery: true,
          propagate_tags: true,
        },
      ]);
    }
  });
});
