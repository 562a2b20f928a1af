import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { parsePolicy, regionOf, resources, synthAll, testConfig } from '../support/synth';

const { forCheckov } = createRequire(__filename)('../../scripts/checkov-input.cjs') as {
  forCheckov: (doc: unknown) => unknown;
};

/** Issue #14: the CloudTrail trail the CKV_AWS_18 skip cites exists, and the key conditions the review asked for. */
const ACCOUNT = '${data.aws_caller_identity.caller-identity.account_id}';
const s = synthAll();
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-2:${ACCOUNT}:trail/payment-processing-audit-test`;

describe('audit trail', () => {
  const [[, trail]] = resources(s.failover, 'aws_cloudtrail');

  it('is one multi-Region trail, home us-east-2, validated, encrypted with its own CMK', () => {
    expect(resources(s.failover, 'aws_cloudtrail')).toHaveLength(1);
    expect(regionOf(s.failover, trail)).toBe('us-east-2');
    expect(trail).toMatchObject({
      name: 'payment-processing-audit-test',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
    });
    expect(String(trail.kms_key_id)).toMatch(/^\$\{aws_kms_key\.audit-trail_key_\w+\.arn\}$/);
    for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const)
      expect(resources(s[id], 'aws_cloudtrail')).toHaveLength(0);
  });

  it('records S3 data events for both receipts buckets by advanced event selectors', () => {
    const selectors = trail.advanced_event_selector as Array<{
      field_selector: Array<{ field: string; equals?: string[]; starts_with?: string[] }>;
    }>;
    const data = selectors.find((x) => x.field_selector.some((f) => f.equals?.includes('Data')));
    const arns = data?.field_selector.find((f) => f.field === 'resources.ARN')?.starts_with;
    expect(arns).toEqual(
      ['use1', 'use2'].map((c) => `arn:aws:s3:::payment-processing-receipts-test-${c}-${ACCOUNT}/`),
    );
    expect(data?.field_selector.find((f) => f.field === 'resources.type')?.equals).toEqual([
      'AWS::S3::Object',
    ]);
  });

  it('key policy: CloudTrail for this trail only (aws:SourceArn)', () => {
    const [[, key]] = resources(s.failover, 'aws_kms_key').filter(([n]) => n.startsWith('audit-trail'));
    expect(key.enable_key_rotation).toBe(true);
    const st = parsePolicy(key.policy).Statement;
    for (const x of st.filter((y) => JSON.stringify(y.Principal).includes('cloudtrail.amazonaws.com')))
      expect((x.Condition as Record<string, Record<string, string>>).StringEquals['aws:SourceArn']).toBe(
        TRAIL_ARN,
      );
    expect(st.map((x) => x.Sid)).toEqual([
      'KeyAdministration',
      'CloudTrailEncryptLogs',
      'CloudTrailDescribeKey',
      'DecryptLogFiles',
      'DecryptTrailLogs',
    ]);
    // Reading the logs: only what CloudTrail encrypted for this trail (its encryption context).
    expect(st.find((x) => x.Sid === 'DecryptTrailLogs')?.Condition).toMatchObject({
      StringEquals: { 'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL_ARN },
    });
  });

  it('bucket: CMK by default, versioned, private, owner-enforced, TLS only, CloudTrail writes for this trail only', () => {
    const [[bucketName, bucket]] = resources(s.failover, 'aws_s3_bucket');
    const ref = `\${aws_s3_bucket.${bucketName}.id}`;
    const mine = (type: string) => resources(s.failover, type).filter(([, r]) => r.bucket === ref);
    expect(bucket.bucket).toBe(`payment-processing-audit-trail-test-use2-${ACCOUNT}`);
    const [[, sse]] = mine('aws_s3_bucket_server_side_encryption_configuration');
    expect(JSON.stringify(sse.rule)).toContain('aws_kms_key.audit-trail_key');
    expect(mine('aws_s3_bucket_versioning')[0][1].versioning_configuration).toEqual({ status: 'Enabled' });
    expect(mine('aws_s3_bucket_public_access_block')[0][1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const st = parsePolicy(mine('aws_s3_bucket_policy')[0][1].policy).Statement;
    expect(st.map((x) => x.Sid)).toEqual([
      'DenyInsecureTransport',
      'DenyOutdatedTls',
      'AWSCloudTrailAclCheck',
      'AWSCloudTrailWrite',
    ]);
    for (const x of st.slice(2))
      expect((x.Condition as Record<string, Record<string, string>>).StringEquals['aws:SourceArn']).toBe(
        TRAIL_ARN,
      );
    expect(st[3].Resource).toBe(`\${aws_s3_bucket.${bucketName}.arn}/AWSLogs/${ACCOUNT}/*`);
  });

  it('is not created where audit.organizationTrailArn names an organization trail', () => {
    const org = synthAll(
      testConfig({ audit: { organizationTrailArn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org' } }),
    );
    expect(resources(org.failover, 'aws_cloudtrail')).toHaveLength(0);
    expect(resources(org.failover, 'aws_s3_bucket')).toHaveLength(0);
  });
});

describe('KMS conditions of the data and ops keys', () => {
  const keys = [...resources(s.global, 'aws_kms_key'), ...resources(s.global, 'aws_kms_replica_key')].map(
    ([, k]) => k,
  );
  const policyOf = (kind: 'data' | 'ops', region: string) =>
    parsePolicy(
      keys.find((k) => String(k.description).includes(`-${kind}-`) && regionOf(s.global, k) === region)
        ?.policy,
    ).Statement;

  it.each(['us-east-1', 'us-east-2'])(
    '%s: alarms publish for this environment only (aws:SourceArn)',
    (region) => {
      const st = policyOf('ops', region).find((x) => x.Sid === 'CloudWatchAlarmsPublishToEncryptedTopics');
      expect(st?.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: {
          'aws:SourceArn': `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:payment-processing-*-test*`,
        },
      });
    },
  );

  it.each(['us-east-1', 'us-east-2'])(
    '%s: S3 and DynamoDB use the data key for the named resources only',
    (region) => {
      const st = policyOf('data', region).find((x) => x.Sid === 'UseThroughNamedServices');
      const buckets = ['use1', 'use2'].map(
        (c) => `arn:aws:s3:::payment-processing-receipts-test-${c}-${ACCOUNT}`,
      );
      expect(st?.Condition).toMatchObject({
        StringLikeIfExists: { 'kms:EncryptionContext:aws:s3:arn': buckets.flatMap((b) => [b, `${b}/*`]) },
        StringEqualsIfExists: {
          // The live tables and their point-in-time restore targets (docs/runbooks/restore.md).
          'kms:EncryptionContext:aws:dynamodb:tableName': [
            'payment-processing-payment-control-test',
            'payment-processing-payment-control-test-restore',
            'payment-processing-sessions-test',
            'payment-processing-sessions-test-restore',
          ],
        },
      });
    },
  );
});

describe('checkov without skips', () => {
  it('prints the failures each profile would have without its skip list', () => {
    const checkov = resolve(__dirname, '../../.venv/bin/checkov');
    const dir = mkdtempSync(join(tmpdir(), 'net-ck-'));
    try {
      const files: string[] = [];
      for (const [id, stack] of Object.entries(s)) {
        const f = join(dir, `${id}.tf.json`);
        writeFileSync(f, JSON.stringify(forCheckov(stack)));
        files.push('-f', f);
      }
      let out = '';
      try {
        out = execFileSync(
          checkov,
          ['--framework', 'terraform_json', '--compact', '--quiet', '--skip-download', ...files],
          {
            cwd: dir,
            encoding: 'utf8',
          },
        );
      } catch (e) {
        out = String((e as { stdout?: string }).stdout ?? '');
      }
      const counts = new Map<string, number>();
      for (const m of out.matchAll(/Check: (CKV2?_AWS_\d+)/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
      console.log(
        `checkov (test profile) failures without skips: ${[...counts.values()].reduce((a, b) => a + b, 0)}`,
        Object.fromEntries(counts),
      );
      expect(readdirSync(dir).length).toBe(files.length / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
