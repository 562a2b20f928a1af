import { describe, expect, it } from 'vitest';
import { deploymentWarnings, formatWarning } from '../../src/config';
import { testConfig } from '../support/synth';

/** What synth says about a valid configuration that would still deploy something broken (bin/synth.ts, stderr). */
const ids = (c = testConfig(), today = new Date('2026-01-01T00:00:00Z')) =>
  deploymentWarnings(c, today).map((w) => w.id);

describe('deployment warnings', () => {
  it('warns about the example DNS zone, never about a real one', () => {
    const example = testConfig({ dns: { zoneName: 'example.com', zoneId: 'Z0EXAMPLE00000000000' } });
    const w = deploymentWarnings(example).find((x) => x.id === 'example-dns');
    expect(w?.level).toBe('warning');
    expect(formatWarning(w as NonNullable<typeof w>)).toMatch(/^WARNING: example DNS zone in use/);
    expect(ids()).not.toContain('example-dns');
  });

  it('warns loudly when no alert subscription is configured: alarms would reach nobody', () => {
    const w = deploymentWarnings(testConfig()).find((x) => x.id === 'no-alert-subscription');
    expect(w?.level).toBe('warning');
    expect(formatWarning(w as NonNullable<typeof w>)).toMatch(
      /^WARNING: no alert subscription: .*nobody is paged/,
    );
    expect(ids(testConfig({ alerts: { emails: ['oncall@example.com'] } }))).not.toContain(
      'no-alert-subscription',
    );
  });

  it('warns ahead of the end of standard support of the engine major, and louder after it', () => {
    const on = (date: string) =>
      deploymentWarnings(testConfig(), new Date(`${date}T12:00:00Z`)).find(
        (w) => w.id === 'engine-end-of-support',
      );
    // Aurora PostgreSQL 14 (the default) leaves standard support on 2027-02-28.
    expect(on('2026-08-01')).toBeUndefined();
    expect(on('2026-09-01')?.message).toMatch(
      /14\.15: Aurora PostgreSQL 14 leaves standard support on 2027-02-28/,
    );
    expect(on('2027-03-01')?.message).toMatch(
      /left standard support on 2027-02-28; .*creating its clusters fails/,
    );
    // A major without an announced date (not verified here) says nothing.
    expect(
      deploymentWarnings(testConfig({ database: { engineVersion: '16.6' } }), new Date('2030-01-01')).map(
        (w) => w.id,
      ),
    ).not.toContain('engine-end-of-support');
  });

  it('reminds of the once-per-account API Gateway role unless this environment owns the setting', () => {
    const w = deploymentWarnings(testConfig()).find((x) => x.id === 'apigateway-account-role');
    expect(w?.level).toBe('note');
    expect(w?.message).toContain('scripts/bootstrap-account.sh');
    expect(ids(testConfig({ api: { manageAccountCloudWatchRole: true } }))).not.toContain(
      'apigateway-account-role',
    );
  });
});
