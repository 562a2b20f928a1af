import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploymentWarnings } from '../../src/config';
import { PRODUCTION_MIN_BACKUP_RETENTION_DAYS } from '../../src/config/safety';
import { BACKUP_SERVICE_POLICIES } from '../../src/constructs/backup-ledger';
import { STACK_ORDER } from '../../src/app';
import { only, parsePolicy, resources, synthAll, testConfig, type TfJson } from '../support/synth';

/**
 * The safety profile (config `safety`) on the synthesized JSON: test is destroyable at once, production keeps the
 * ledger, receipts, control table, master secret and keys. Both are asserted attribute by attribute.
 */
const ADMIN = 'arn:aws:iam::123456789012:role/payments-key-admin';
const production = testConfig({
  safety: 'production',
  keyAdminRoleArn: ADMIN,
  database: { backupRetentionDays: PRODUCTION_MIN_BACKUP_RETENTION_DAYS },
});
const profiles = { test: synthAll(), production: synthAll(production) };
const REGIONAL = [
  ['primary', 'use1', 'use2', 'us-east-2'],
  ['secondary', 'use2', 'use1', 'us-east-1'],
] as const;

type Attrs = Record<string, unknown>;
const lifecycle = (r: Attrs) => (r.lifecycle ?? {}) as Attrs;
const keys = (stack: TfJson) => [
  ...resources(stack, 'aws_kms_key').map(([, r]) => r),
  ...resources(stack, 'aws_kms_replica_key').map(([, r]) => r),
];
const table = (name: string) => (stack: TfJson) =>
  only(stack, 'aws_dynamodb_table', (t) => String(t.name).includes(name));

describe('safety profile: configuration', () => {
  it('defaults to test and needs nothing else', () => {
    expect(testConfig().safety).toBe('test');
  });

  it('refuses production with fewer than 7 days of automated backups, in one line', () => {
    const attempt = () =>
      testConfig({ safety: 'production', keyAdminRoleArn: ADMIN, database: { backupRetentionDays: 6 } });
    expect(attempt).toThrow(
      /^invalid configuration: database\.backupRetentionDays: must be at least 7 with safety "production" \(is 6\)$/,
    );
  });

  it('says at synth which role production must be applied as, and nothing for test', () => {
    const note = (c: typeof production) =>
      deploymentWarnings(c).find((w) => w.id === 'safety-production-key-admin');
    expect(note(production)?.message).toContain(ADMIN);
    expect(note(testConfig())).toBeUndefined();
  });

  it('refuses production without a key-admin role, and an ARN that is no role', () => {
    expect(() => testConfig({ safety: 'production', database: { backupRetentionDays: 7 } })).toThrow(
      /keyAdminRoleArn: required with safety "production"/,
    );
    expect(() => testConfig({ keyAdminRoleArn: 'arn:aws:iam::123456789012:user/alice' })).toThrow(
      /keyAdminRoleArn: an IAM role ARN/,
    );
  });
});

describe('safety profile "test" (default): destroyable, as before the setting existed', () => {
  const s = profiles.test;

  it('has no deletion protection, no final snapshot, no prevent_destroy anywhere', () => {
    expect(only(s.global, 'aws_rds_global_cluster').deletion_protection).toBe(false);
    for (const [id] of REGIONAL) {
      const c = only(s[id], 'aws_rds_cluster');
      expect(c).toMatchObject({
        deletion_protection: false,
        skip_final_snapshot: true,
        backup_retention_period: 1,
      });
      expect(c.final_snapshot_identifier).toBeUndefined();
    }
    for (const id of STACK_ORDER) {
      expect(JSON.stringify(s[id])).not.toContain('prevent_destroy');
      expect(Object.keys(s[id].resource ?? {}).filter((t) => t.startsWith('aws_backup_'))).toEqual([]);
    }
  });

  it('deletes the secret at once, empties buckets, keeps tables unprotected, keys on 7 days', () => {
    expect(only(s.primary, 'aws_secretsmanager_secret').recovery_window_in_days).toBe(0);
    for (const [id] of REGIONAL) expect(only(s[id], 'aws_s3_bucket').force_destroy).toBe(true);
    for (const [, t] of resources(s.global, 'aws_dynamodb_table')) {
      expect(t.deletion_protection_enabled).toBe(false);
      for (const r of t.replica as Attrs[]) expect(r.deletion_protection_enabled).toBe(false);
    }
    for (const k of keys(s.global)) {
      expect(k.deletion_window_in_days).toBe(7);
      const admin = parsePolicy(k.policy).Statement.find((st) => st.Sid === 'KeyAdministration');
      expect(admin?.Condition).toBeUndefined();
    }
  });
});

describe('safety profile "production"', () => {
  const s = profiles.production;

  it('protects the global cluster and both regional clusters, with a named final snapshot and >= 7 days of PITR', () => {
    const g = only(s.global, 'aws_rds_global_cluster');
    expect(g.deletion_protection).toBe(true);
    expect(lifecycle(g).prevent_destroy).toBe(true);
    for (const [id, code] of REGIONAL) {
      const c = only(s[id], 'aws_rds_cluster');
      expect(c).toMatchObject({
        deletion_protection: true,
        skip_final_snapshot: false,
        final_snapshot_identifier: `payment-processing-ledger-test-${code}-final`,
      });
      expect(c.backup_retention_period).toBeGreaterThanOrEqual(7);
      // prevent_destroy joins the fields AWS changes, which stay ignored.
      expect(lifecycle(c)).toMatchObject({ prevent_destroy: true });
      expect(lifecycle(c).ignore_changes).toContain('global_cluster_identifier');
    }
  });

  it.each(REGIONAL)(
    'backs up the %s cluster with AWS Backup into a CMK vault, copied to the other region',
    (id, code, peerCode, peerRegion) => {
      const st = s[id];
      const vault = only(st, 'aws_backup_vault');
      expect(vault).toMatchObject({
        name: `payment-processing-ledger-backup-test-${code}`,
        force_destroy: false,
      });
      expect(vault.kms_key_arn).toBe('${data.aws_kms_key.data-key.arn}');
      const rule = (only(st, 'aws_backup_plan').rule as Attrs[])[0];
      expect(rule.target_vault_name).toMatch(/^\$\{aws_backup_vault\..+\.name\}$/);
      expect((rule.lifecycle as Attrs).delete_after).toBeGreaterThan(35);
      const copy = (rule.copy_action as Attrs[])[0];
      expect(copy.destination_vault_arn).toBe(
        `arn:aws:backup:${peerRegion}:\${data.aws_caller_identity.caller-identity.account_id}:backup-vault:payment-processing-ledger-backup-test-${peerCode}`,
      );
      const selection = only(st, 'aws_backup_selection');
      const [clusterName] = resources(st, 'aws_rds_cluster')[0];
      expect(selection.resources).toEqual([`\${aws_rds_cluster.${clusterName}.arn}`]);
      const role = only(st, 'aws_iam_role', (r) => String(r.name).includes('ledger-backup'));
      expect(parsePolicy(role.assume_role_policy).Statement[0].Principal).toEqual({
        Service: 'backup.amazonaws.com',
      });
      const attached = resources(st, 'aws_iam_role_policy_attachment')
        .map(([, a]) => a.policy_arn)
        .filter((a) => String(a).includes('AWSBackup'));
      expect(attached.sort()).toEqual([...BACKUP_SERVICE_POLICIES].sort());
    },
  );

  it('keeps a deleted master secret restorable for 30 days', () => {
    expect(only(s.primary, 'aws_secretsmanager_secret').recovery_window_in_days).toBe(30);
  });

  it('turns on deletion protection on every table and replica; prevent_destroy on the control table', () => {
    for (const [, t] of resources(s.global, 'aws_dynamodb_table')) {
      expect(t.deletion_protection_enabled).toBe(true);
      for (const r of t.replica as Attrs[]) expect(r.deletion_protection_enabled).toBe(true);
    }
    expect(lifecycle(table('payment-control')(s.global)).prevent_destroy).toBe(true);
    expect(lifecycle(table('sessions')(s.global)).prevent_destroy).toBeUndefined();
  });

  it.each(REGIONAL)(
    'keeps the %s receipts: no force_destroy, prevent_destroy, versions deletable by the admin role only',
    (id) => {
      const bucket = only(s[id], 'aws_s3_bucket');
      expect(bucket.force_destroy).toBe(false);
      expect(lifecycle(bucket).prevent_destroy).toBe(true);
      const deny = parsePolicy(only(s[id], 'aws_s3_bucket_policy').policy).Statement.find(
        (st) => st.Sid === 'DenyReceiptLossExceptAdmin',
      );
      expect(deny).toMatchObject({
        Effect: 'Deny',
        Principal: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': ADMIN } },
      });
      expect(deny?.Action).toEqual(
        expect.arrayContaining(['s3:DeleteObjectVersion', 's3:PutBucketVersioning', 's3:DeleteBucketPolicy']),
      );
    },
  );

  it('gives the keys a 30-day deletion window, prevent_destroy, and one administrator besides the root user', () => {
    // The project's four keys (global stack), the two detectors' keys and the audit trail's key (failover stack).
    const all = [...keys(s.global), ...keys(s.failover)];
    expect(all).toHaveLength(7);
    for (const k of all) {
      expect(k.deletion_window_in_days).toBe(30);
      expect(lifecycle(k).prevent_destroy).toBe(true);
      const statements = parsePolicy(k.policy).Statement;
      const admin = statements.find((st) => st.Sid === 'KeyAdministration');
      const root = 'arn:aws:iam::${data.aws_caller_identity.caller-identity.account_id}:root';
      expect(admin?.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [ADMIN, root] } });
      // No other statement lets the account's principals do more than read metadata or use the key via a service.
      for (const st of statements.filter((x) => x.Sid !== 'KeyAdministration')) {
        const actions = ([] as unknown[]).concat(st.Action);
        const readOrUse = actions.every((a) =>
          /^kms:(Describe|Get|List|Encrypt|Decrypt|ReEncrypt|GenerateDataKey|CreateGrant)/.test(String(a)),
        );
        expect(readOrUse || st.Condition !== undefined, String(st.Sid)).toBe(true);
        expect(actions).not.toContain('kms:*');
      }
    }
    // AWS Backup may use the data key (its vaults), only in production.
    const dataKey = only(s.global, 'aws_kms_key', (k) => String(k.description).includes('Aurora'));
    const use = parsePolicy(dataKey.policy).Statement.find((st) => st.Sid === 'UseThroughNamedServices');
    expect(JSON.stringify(use?.Condition)).toContain('backup.us-east-1.amazonaws.com');
  });
});

describe('checkov configurations of the two profiles', () => {
  const skips = (file: string) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const out = new Map<string, string>();
    let reason: string[] = [];
    let last = '';
    for (const line of lines) {
      const comment = /^\s+#\s?(.*)$/.exec(line);
      const check = /^\s+-\s+(CKV\w+)\s*$/.exec(line);
      if (comment) reason.push(comment[1]);
      else if (check) {
        // A check listed right after another, without a comment of its own, shares that one's reason.
        if (reason.length > 0) last = reason.join(' ');
        out.set(check[1], last);
        reason = [];
      }
    }
    return out;
  };
  const test = skips('.checkov.yaml');
  const prod = skips('.checkov-production.yaml');

  it('checks production without the skips that are only true for test, and with every other skip of test', () => {
    const testOnly = [...test].filter(([, r]) => r.startsWith('Test profile only')).map(([c]) => c);
    expect(testOnly.sort()).toEqual(['CKV2_AWS_8', 'CKV_AWS_139']);
    expect([...prod.keys()].sort()).toEqual([...test.keys()].filter((c) => !testOnly.includes(c)).sort());
    for (const [check, reason] of prod) expect(reason, check).toBe(test.get(check));
    for (const [check, reason] of test) expect(reason.length, check).toBeGreaterThan(20);
  });
});
