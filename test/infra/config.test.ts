import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_DNS, isExampleDns, loadConfig } from '../../src/config';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'cfg-'));

describe('configuration', () => {
  it('defaults to the dev environment, us-east-1/us-east-2 and the required CIDRs', () => {
    const c = loadConfig({ env: {}, configDir: emptyDir() });
    expect(c.environmentSuffix).toBe('dev');
    expect(c.regions).toEqual({ primary: 'us-east-1', secondary: 'us-east-2' });
    expect(c.network.primaryCidr).toBe('10.0.0.0/16');
    expect(c.network.secondaryCidr).toBe('10.1.0.0/16');
    expect(c.failover.mode).toBe('automatic');
    expect(c.backend).toEqual({ type: 'local' });
    expect(isExampleDns(c)).toBe(true);
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
    [
      { PRIMARY_REGION: 'mars-1' },
      /^invalid configuration: regions\.primary: must be one of "us-east-1" \| /,
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

  it('rejects unknown keys, invalid JSON and reserved tag keys in the file', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'dev.json'), JSON.stringify({ failover: { mode: 'manual', speed: 'fast' } }));
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/failover: unknown key\(s\) speed/);
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
