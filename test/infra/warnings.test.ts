import { describe, expect, it } from 'vitest';
import { deploymentWarnings, formatWarning } from '../../src/config';
import { testConfig } from '../support/synth';

/** What synth says about a valid configuration that would still deploy something broken (bin/synth.ts, stderr). */
const ids = (c = testConfig()) => deploymentWarnings(c).map((w) => w.id);

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

  it('reminds of the once-per-account API Gateway role unless this environment owns the setting', () => {
    const w = deploymentWarnings(testConfig()).find((x) => x.id === 'apigateway-account-role');
    expect(w?.level).toBe('note');
    expect(w?.message).toContain('scripts/bootstrap-account.sh');
    expect(ids(testConfig({ api: { manageAccountCloudWatchRole: true } }))).not.toContain(
      'apigateway-account-role',
    );
  });
});
