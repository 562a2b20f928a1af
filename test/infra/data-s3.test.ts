import { describe, expect, it } from 'vitest';
import { only, parsePolicy, regionOf, resources, synthAll, type TfJson } from '../support/synth';

const BUCKET = (code: string) =>
  `payment-processing-receipts-test-${code}-\${data.aws_caller_identity.caller-identity.account_id}`;

describe('S3 receipts buckets and cross-region replication', () => {
  const s = synthAll();

  it.each([
    ['primary', 'use1'],
    ['secondary', 'use2'],
  ] as const)(
    '%s bucket: unique deterministic name, versioned, SSE-KMS with bucket key, private, TLS only',
    (id, code) => {
      const st = s[id];
      expect(only(st, 'aws_s3_bucket')).toMatchObject({ bucket: BUCKET(code), force_destroy: true });
      expect(only(st, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
      expect(only(st, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
        {
          apply_server_side_encryption_by_default: {
            sse_algorithm: 'aws:kms',
            kms_master_key_id: '${data.aws_kms_key.data-key.arn}',
          },
          bucket_key_enabled: true,
        },
      ]);
      expect(only(st, 'aws_s3_bucket_public_access_block')).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(only(st, 'aws_s3_bucket_ownership_controls').rule).toEqual({
        object_ownership: 'BucketOwnerEnforced',
      });
      const statements = parsePolicy(only(st, 'aws_s3_bucket_policy').policy).Statement;
      expect(statements.map((x) => [x.Effect, x.Condition])).toEqual([
        ['Deny', { Bool: { 'aws:SecureTransport': 'false' } }],
        ['Deny', { NumericLessThan: { 's3:TlsVersion': '1.2' } }],
      ]);
      expect(only(st, 'aws_s3_bucket_notification').eventbridge).toBe(true);
    },
  );

  it('expires noncurrent versions and abandoned multipart uploads', () => {
    const rule = (
      only(s.primary, 'aws_s3_bucket_lifecycle_configuration').rule as Array<Record<string, unknown>>
    )[0];
    expect(rule).toMatchObject({
      status: 'Enabled',
      noncurrent_version_expiration: [{ noncurrent_days: 365 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
  });

  const ic = s.interconnect;
  const configs = resources(ic, 'aws_s3_bucket_replication_configuration').map(([, c]) => c);
  const forward = configs.find((c) => String(c.bucket).includes('-use1-')) as Record<string, unknown>;
  const back = configs.find((c) => String(c.bucket).includes('-use2-')) as Record<string, unknown>;

  it('replicates primary -> secondary with RTC 15 min, metrics, delete markers and the replica key', () => {
    expect(regionOf(ic, forward)).toBe('us-east-1');
    const rule = (forward.rule as Array<Record<string, unknown>>)[0];
    expect(rule).toMatchObject({
      status: 'Enabled',
      filter: { prefix: '' },
      delete_marker_replication: { status: 'Enabled' },
      source_selection_criteria: {
        sse_kms_encrypted_objects: { status: 'Enabled' },
        replica_modifications: { status: 'Enabled' },
      },
    });
    const dest = rule.destination as Record<string, unknown>;
    expect(dest.bucket).toBe(`arn:aws:s3:::${BUCKET('use2')}`);
    expect(dest.replication_time).toEqual({ status: 'Enabled', time: { minutes: 15 } });
    expect(dest.metrics).toEqual({ status: 'Enabled', event_threshold: { minutes: 15 } });
    // The replica key is the secondary region's CMK (the multi-Region replica), looked up there by alias.
    expect(dest.encryption_configuration).toEqual({
      replica_kms_key_id: '${data.aws_kms_key.secondary-data-key.arn}',
    });
    const lookup = ic.data?.aws_kms_key?.['secondary-data-key'] as Record<string, unknown>;
    expect(lookup.key_id).toBe('alias/payment-processing-data-test');
    expect(regionOf(ic, lookup)).toBe('us-east-2');
  });

  it('replicates back secondary -> primary for failback', () => {
    expect(regionOf(ic, back)).toBe('us-east-2');
    const dest = (back.rule as Array<Record<string, unknown>>)[0].destination as Record<string, unknown>;
    expect(dest.bucket).toBe(`arn:aws:s3:::${BUCKET('use1')}`);
    expect(dest.encryption_configuration).toEqual({
      replica_kms_key_id: '${data.aws_kms_key.primary-data-key.arn}',
    });
  });

  /** The key a `${data.aws_kms_key.<name>.arn}` reference points at: the looked-up id and its region. */
  const keyBehind = (stack: TfJson, ref: unknown): { keyId: unknown; region: string } => {
    const name = /^\$\{data\.aws_kms_key\.([\w-]+)\.arn\}$/.exec(String(ref))?.[1];
    const lookup = name ? stack.data?.aws_kms_key?.[name] : undefined;
    if (!lookup) throw new Error(`not a KMS key lookup: ${String(ref)}`);
    return { keyId: lookup.key_id, region: regionOf(stack, lookup) };
  };

  it.each([
    ['forward', 'secondary'],
    ['back', 'primary'],
  ] as const)(
    '%s replication re-encrypts with the very key the destination bucket (%s) encrypts with',
    (direction, destinationStack) => {
      const config = direction === 'forward' ? forward : back;
      const dest = (config.rule as Array<Record<string, unknown>>)[0].destination as Record<string, unknown>;
      const replicaKey = (dest.encryption_configuration as Record<string, unknown>).replica_kms_key_id;
      const sse = (
        only(s[destinationStack], 'aws_s3_bucket_server_side_encryption_configuration').rule as Array<
          Record<string, Record<string, unknown>>
        >
      )[0].apply_server_side_encryption_by_default.kms_master_key_id;
      const expected = keyBehind(s[destinationStack], sse);
      expect(expected.region).toBe(destinationStack === 'secondary' ? 'us-east-2' : 'us-east-1');
      expect(keyBehind(ic, replicaKey)).toEqual(expected);
      // The role may encrypt with exactly that key (last statement of its policy).
      const policy = resources(ic, 'aws_iam_role_policy')
        .map(([, p]) => parsePolicy(p.policy).Statement)
        .find((st) => st[2].Resource === `${dest.bucket as string}/*`) as Array<Record<string, unknown>>;
      expect(policy[4].Resource).toBe(replicaKey);
    },
  );

  it('gives each replication role exactly its two buckets and two keys', () => {
    const policies = resources(ic, 'aws_iam_role_policy').map(([, p]) => parsePolicy(p.policy).Statement);
    expect(policies).toHaveLength(2);
    const src = `arn:aws:s3:::${BUCKET('use1')}`;
    const dst = `arn:aws:s3:::${BUCKET('use2')}`;
    const st = policies.find((p) => p[0].Resource === src) as Array<Record<string, unknown>>;
    expect(st.map((x) => x.Resource)).toEqual([
      src,
      `${src}/*`,
      `${dst}/*`,
      '${data.aws_kms_key.primary-data-key.arn}',
      '${data.aws_kms_key.secondary-data-key.arn}',
    ]);
    expect(JSON.stringify(st)).not.toContain('"*"');
    expect(st[3].Condition).toMatchObject({
      StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
    });
    expect(st[4].Condition).toMatchObject({
      StringEquals: { 'kms:ViaService': 's3.us-east-2.amazonaws.com' },
    });
    const roles = resources(ic, 'aws_iam_role').map(
      ([, r]) => parsePolicy(r.assume_role_policy).Statement[0],
    );
    const role = roles.find((r) => JSON.stringify(r).includes(BUCKET('use1')));
    expect(role).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { ArnLike: { 'aws:SourceArn': src } },
    });
  });
});
