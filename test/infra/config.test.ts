import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_DNS, isExampleDns, loadConfig, parseConfig } from '../../src/config';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'cfg-'));

describe('configuration', () => {
  it('defaults to the dev environment, us-east-1/us-east-2 and the required CIDRs', () => {
    const c = loadConfig({ env: {}, configDir: emptyDir() });
    expect(c.environmentSuffix).toBe('dev');
    expect(c.regions).toEqual({ primary: 'us-east-1', secondary: 'us-east-2', witness: 'us-west-2' });
    expect(c.network.primaryCidr).toBe('10.0.0.0/16');
    expect(c.network.secondaryCidr).toBe('10.1.0.0/16');
    expect(c.failover.mode).toBe('automatic');
    expect(c.backend).toEqual({ type: 'local' });
    expect(isExampleDns(c)).toBe(true);
  });

  it('fills every omitted section from the defaults of its fields (written once, in the schema)', () => {
    const c = parseConfig({ environmentSuffix: 'dev', dns: EXAMPLE_DNS });
    expect(c.failover).toEqual({
      mode: 'automatic',
      detectionMinutes: 3,
      probesPerRun: 3,
      probeTimeoutMs: 3000,
      approveUngraceful: false,
      approvalTimeoutMinutes: 60,
      rtoObjectiveMinutes: 15,
      minMinutesBetweenExecutions: 60,
      operatorPrincipalArns: [],
      operatorMfaMaxAgeSeconds: 3600,
    });
    expect(c.database).toEqual({
      engineVersion: '14.15',
      minCapacityAcu: 0.5,
      maxCapacityAcu: 4,
      backupRetentionDays: 1,
      masterPasswordVersion: 1,
    });
    // Opt-ins stay unset: no RPO bound, the WAF limit follows the stage.
    expect(c.database.rpoBoundSeconds).toBeUndefined();
    expect(c.api.wafRateLimitPer5Min).toBeUndefined();
    expect(c.network).toEqual({
      primaryCidr: '10.0.0.0/16',
      secondaryCidr: '10.1.0.0/16',
      azCount: 3,
      azIds: {},
    });
    expect(c.api.throttleRateLimit).toBe(100);
    expect(c.thresholds.s3ReplicationLatencySeconds).toBe(900);
    expect(c.alerts).toEqual({ emails: [] });
    // A section given in part keeps the defaults of the fields it leaves out.
    expect(
      parseConfig({ environmentSuffix: 'dev', dns: EXAMPLE_DNS, failover: { mode: 'manual' } }).failover,
    ).toMatchObject({ mode: 'manual', detectionMinutes: 3, probesPerRun: 3 });
    // Two parses never share a default array.
    parseConfig({ environmentSuffix: 'dev', dns: EXAMPLE_DNS }).alerts.emails.push('x@example.org');
    expect(parseConfig({ environmentSuffix: 'dev', dns: EXAMPLE_DNS }).alerts.emails).toEqual([]);
  });

  it('reads config/<suffix>.json and lets environment variables override it', () => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'prod.json'),
      JSON.stringify({
        dns: { zoneName: 'pay.example.org', zoneId: 'Z123ABC' },
        failover: { mode: 'automatic' },
        alerts: { emails: ['oncall@example.org'] },
        tags: { CostCenter: 'payments' },
      }),
    );
    const c = loadConfig({
      env: { ENVIRONMENT_SUFFIX: 'prod', FAILOVER_MODE: 'manual', ALERT_EMAILS: 'a@x.io, b@x.io' },
      configDir: dir,
    });
    expect(c.environmentSuffix).toBe('prod');
    expect(c.dns.zoneName).toBe('pay.example.org');
    expect(isExampleDns(c)).toBe(false);
    expect(c.failover.mode).toBe('manual');
    expect(c.alerts.emails).toEqual(['a@x.io', 'b@x.io']);
    expect(c.tags).toEqual({ CostCenter: 'payments' });
  });

  it('switches to the S3 backend when a state bucket prefix is given', () => {
    const c = loadConfig({ env: { STATE_BUCKET_PREFIX: 'acme-tfstate' }, configDir: emptyDir() });
    expect(c.backend).toMatchObject({ type: 's3', bucketPrefix: 'acme-tfstate', useLockfile: true });
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [
      { FAILOVER_MODE: 'auto' },
      /^invalid configuration: failover\.mode: must be one of "automatic" \| "manual"$/,
    ],
    [{ ENVIRONMENT_SUFFIX: 'Prod!' }, /^invalid configuration: environmentSuffix: /],
    // RDS identifiers refuse a trailing hyphen and two hyphens in a row; the suffix ends several of them.
    [
      { ENVIRONMENT_SUFFIX: 'dev-' },
      /^invalid configuration: environmentSuffix: 2-12 chars: .*single hyphens/,
    ],
    [
      { ENVIRONMENT_SUFFIX: 'a--b' },
      /^invalid configuration: environmentSuffix: 2-12 chars: .*single hyphens/,
    ],
    [{ ENVIRONMENT_SUFFIX: 'abcdefghijklm' }, /^invalid configuration: environmentSuffix: 2-12 chars/],
    [
      { PRIMARY_REGION: 'mars-1' },
      /^invalid configuration: regions\.primary: must be one of "us-east-1" \| /,
    ],
    [
      { PRIMARY_REGION: 'us-west-2', SECONDARY_REGION: 'us-east-2' },
      /^invalid configuration: regions\.primary: must be "us-east-1" \(Route 53 health-check metrics/,
    ],
    [
      { SECONDARY_REGION: 'us-east-1' },
      /^invalid configuration: regions\.secondary: must differ from regions\.primary$/,
    ],
    [
      { PRIMARY_VPC_CIDR: '192.168.0.0/16' },
      /^invalid configuration: network\.primaryCidr: must be a 10\.x\.0\.0\/16 block$/,
    ],
    [
      { SECONDARY_VPC_CIDR: '10.0.0.0/16' },
      /^invalid configuration: network\.secondaryCidr: must not overlap/,
    ],
    [{ ALERT_EMAILS: 'ops@example.com,not-an-email' }, /^invalid configuration: alerts\.emails\.1: /],
    [{ HOSTED_ZONE_ID: 'abc' }, /^invalid configuration: dns\.zoneId: a Route 53 zone id/],
    [
      { OPERATOR_PRINCIPAL_ARNS: 'arn:aws:iam::12:root' },
      /^invalid configuration: failover\.operatorPrincipalArns\.0: /,
    ],
  ];
  it.each(bad)('rejects %j with one readable line naming the field', (env, message) => {
    let error: unknown;
    try {
      loadConfig({ env, configDir: emptyDir() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it.each(['a-b', 'dev', 'prod-eu1', 'abcdefghijkl'])('accepts the environment suffix %j', (suffix) => {
    expect(loadConfig({ env: { ENVIRONMENT_SUFFIX: suffix }, configDir: emptyDir() }).environmentSuffix).toBe(
      suffix,
    );
  });

  const badFile: Array<[string, Record<string, unknown>, string]> = [
    [
      'a detection window shorter than two agreement periods',
      { failover: { detectionMinutes: 1 } },
      'invalid configuration: failover.detectionMinutes: Too small: expected number to be >=2',
    ],
    [
      'an unknown backend type',
      { backend: { type: 'gcs' } },
      'invalid configuration: backend.type: must be one of "local" | "s3"',
    ],
    [
      'an unknown region as an AZ override key',
      { network: { azIds: { 'mars-1': ['use1-az1'] } } },
      'invalid configuration: network.azIds: unknown key(s) mars-1; allowed: us-east-1, us-east-2, us-west-1, us-west-2, eu-west-1, eu-central-1',
    ],
    [
      'an unknown region as a state key region',
      { backend: { type: 's3', bucketPrefix: 'acme-tf', kmsKeyIds: { 'mars-1': 'alias/tf' } } },
      'invalid configuration: backend.kmsKeyIds: unknown key(s) mars-1; allowed: us-east-1, us-east-2, us-west-1, us-west-2, eu-west-1, eu-central-1',
    ],
    [
      'an unknown failover mode',
      { failover: { mode: 'sometimes' } },
      'invalid configuration: failover.mode: must be one of "automatic" | "manual"',
    ],
    [
      'an extra tag key in the AWS-reserved aws: namespace',
      { tags: { 'aws:createdBy': 'me' } },
      'invalid configuration: tags.aws:createdBy: the "aws:" prefix is reserved by AWS; choose another key',
    ],
    [
      'the aws: prefix in another letter case',
      { tags: { 'AWS:Team': 'payments' } },
      'invalid configuration: tags.AWS:Team: the "aws:" prefix is reserved by AWS; choose another key',
    ],
    [
      'a tag key with characters AWS refuses',
      { tags: { 'team!': 'payments' } },
      'invalid configuration: tags.team!: tag keys are 1-128 of letters, digits, spaces and _.:/=+-@',
    ],
    [
      'a log retention CloudWatch Logs does not offer',
      { logRetentionDays: 2 },
      'invalid configuration: logRetentionDays: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
  ];
  it.each(badFile)(
    'rejects %s with one line naming the field and the allowed values',
    (_what, file, line) => {
      const dir = emptyDir();
      writeFileSync(join(dir, 'dev.json'), JSON.stringify(file));
      let error: unknown;
      try {
        loadConfig({ env: {}, configDir: dir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(line);
    },
  );

  it('keeps tag keys that merely contain "aws" and takes the approval step from the file', () => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'dev.json'),
      JSON.stringify({
        tags: { 'team:aws': 'x', awsAccountOwner: 'y' },
        failover: { approveUngraceful: true },
      }),
    );
    const c = loadConfig({ env: {}, configDir: dir });
    expect(c.tags).toEqual({ 'team:aws': 'x', awsAccountOwner: 'y' });
    expect(c.failover.approveUngraceful).toBe(true);
  });

  it('rejects unknown keys, invalid JSON and reserved tag keys in the file', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'dev.json'), JSON.stringify({ failover: { mode: 'manual', speed: 'fast' } }));
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(
      /failover: unknown key\(s\) speed; allowed: mode, detectionMinutes, /,
    );
    writeFileSync(join(dir, 'dev.json'), '{ nope');
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'dev.json'), JSON.stringify({ tags: { 'DR-Role': 'x' } }));
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/tags\.DR-Role: is set by the project/);
    expect(() => loadConfig({ env: { PAYMENTS_DR_CONFIG: join(dir, 'missing.json') } })).toThrow(
      /does not exist/,
    );
  });

  it('keeps the example DNS values only when nothing is configured', () => {
    const c = loadConfig({ env: { HOSTED_ZONE_NAME: 'pay.example.net' }, configDir: emptyDir() });
    expect(c.dns.zoneName).toBe('pay.example.net');
    expect(c.dns.zoneId).toBe(EXAMPLE_DNS.zoneId);
  });

  it('the synth command exits 2 with exactly one line for an invalid value', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'bin/synth.ts'], {
        env: {
          ...process.env,
          FAILOVER_MODE: 'sometimes',
          CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), 'out-')),
        },
        stdio: 'pipe',
      });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      'invalid configuration: failover.mode: must be one of "automatic" | "manual"',
    ]);
  });
});
