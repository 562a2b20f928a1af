import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeAurora } from '../support/fake-aurora';
import { arcWorld } from './support/arc-world';
import { drctl, noAws } from './support/cli';

/** Exit codes and the one-line rule for bad arguments; none of these may touch AWS (noAws fails if they do). */
describe('bad arguments: exit 2 with one readable line on stderr', () => {
  it.each([
    [['stauts'], /^drctl: error: unknown command 'stauts' \(Did you mean status\?\)$/],
    [['frobnicate'], /^drctl: error: unknown command 'frobnicate'$/],
    [
      [],
      /^drctl: error: missing command \(one of status, switchover, failover, failback, approve, cancel, watch, drill, recover-lost-writes\); see "drctl --help"$/,
    ],
    [['status', '--bogus'], /^drctl: error: unknown option '--bogus'$/],
    [['--bogus', 'status'], /^drctl: error: unknown option '--bogus'$/],
    [['status', 'extra'], /^drctl: error: too many arguments for 'status'/],
    [['--env', 'BAD!', 'status'], /^drctl: invalid configuration: environmentSuffix: 2-12 chars/],
    [['--env', 'x', 'status'], /^drctl: invalid configuration: environmentSuffix:/],
    [['--env'], /^drctl: error: option '--env <suffix>' argument missing$/],
    [
      ['failover'],
      /^drctl: failover refused: an unplanned failover loses writes not yet replicated; pass --allow-data-loss/,
    ],
    [['failover', '--yes'], /pass --allow-data-loss/],
    [
      ['drill', '--canaries', '0'],
      /^drctl: error: option '--canaries <n>' argument '0' is invalid\. --canaries must be an integer from 1 to 100\.$/,
    ],
    [
      ['drill', '--method', 'dns'],
      /^drctl: error: option '--method <method>' argument 'dns' is invalid\. Allowed choices are switchover\.$/,
    ],
    [['switchover', '--timeout', 'soon'], /--timeout must be an integer from 60 to 3600/],
    [['watch', '--timeout', '10'], /--timeout must be an integer from 60 to 3600/],
    [['approve', '--bogus'], /^drctl: error: unknown option '--bogus'$/],
    [['--endpoint-url', 'not a url', 'status'], /^drctl: --endpoint-url: not a url is not a URL$/],
    [['--endpoint-url', 'ftp://x', 'status'], /must be an http or https URL$/],
    [
      ['--config', '/nonexistent/dr.json', 'status'],
      /^drctl: invalid configuration: PAYMENTS_DR_CONFIG: file .* does not exist$/,
    ],
  ])('%j', async (argv, message) => {
    const r = await drctl(argv);
    expect(r.code).toBe(2);
    expect(r.stderrLines).toHaveLength(1);
    expect(r.stderrLines[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a bad --env value is reported before anything else happens', async () => {
    const r = await drctl(['--env', 'Prod_1', 'switchover', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([expect.stringMatching(/environmentSuffix/)]);
  });

  it('--help prints help on stdout and exits 0', async () => {
    const r = await drctl(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: drctl \[options\] \[command\]/);
    for (const c of ['status', 'switchover', 'failover', 'failback', 'approve', 'cancel', 'watch', 'drill'])
      expect(r.stdout).toContain(c);
    expect(r.stderr).toBe('');
    const sub = await drctl(['drill', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--method <method>/);
  });
});

describe('mutating commands need confirmation', () => {
  it.each([
    ['switchover'],
    ['failback'],
    ['failover', '--allow-data-loss'],
    ['drill'],
    ['approve'],
    ['cancel'],
  ])('%j without a terminal and without --yes refuses with exit 2, before any change', async (...argv) => {
    const env =
      argv[0] === 'drill' || argv[0] === 'failback'
        ? { HOSTED_ZONE_NAME: 'pay.example.org', HOSTED_ZONE_ID: 'Z0TEST12345' }
        : {};
    // The refusal comes before any AWS call: noAws fails the test if one is made.
    const r = await drctl([...argv], { env });
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([
      `drctl: refusing to ${argv[0]} without confirmation: no terminal to ask on; pass --yes`,
    ]);
  });

  it('at a terminal, asks for the environment name and refuses a wrong answer, before anything is started', async () => {
    // The checks read first (plan, global database) so that the question comes with what was found.
    const w = await arcWorld('prod');
    const fake = new FakeAurora({ suffix: 'prod' });
    try {
      const r = await drctl(['--env', 'prod', 'switchover'], {
        interactive: true,
        answer: 'dev',
        clients: () => w.clients(fake),
        clock: w.clock,
      });
      expect(r.code).toBe(2);
      expect(r.prompts).toEqual(['Type the environment name "prod" to switchover: ']);
      expect(r.stderrLines.at(-1)).toBe('drctl: switchover not confirmed; nothing was changed');
      expect(w.stub.requests.map((q) => q.op)).toEqual(['ListPlansInRegion']);
      expect(fake.promotionCalls()).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('commands that need AWS stop with one line when there are no credentials', async () => {
    const missing = () =>
      noAws({
        credentials: async () => {
          throw Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          });
        },
      });
    for (const argv of [['status'], ['switchover', '--yes'], ['watch'], ['approve', '--yes']]) {
      const r = await drctl(argv, { clients: missing });
      expect(r.code).toBe(1);
      expect(r.stderrLines).toEqual([
        'drctl: no usable AWS credentials (Could not load credentials from any providers); set AWS_PROFILE or sign in first',
      ]);
    }
  });

  it('drill refuses without a real DNS zone (example zone)', async () => {
    const r = await drctl(['drill', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([expect.stringMatching(/^drctl: drill needs the deployed DNS zone/)]);
  });

  it('failback refuses without a real DNS zone, before any AWS call, unless the API check is skipped', async () => {
    // The default test clients fail on any use: the refusal comes before credentials or RDS are touched.
    const r = await drctl(['failback', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([
      expect.stringMatching(
        /^drctl: failback refused: the configuration names the example DNS zone \(example\.com\)/,
      ),
    ]);
    const skipped = await drctl(['failback', '--yes', '--skip-api-check']);
    expect(skipped.stderrLines.join('\n')).not.toMatch(/example DNS zone/);
  });
});

describe('the real entry point', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), 'cli/drctl.ts', ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });

  it('exits 2 with one line for an unknown command', () => {
    const r = run(['stauts']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      "drctl: error: unknown command 'stauts' (Did you mean status?)",
    ]);
  });

  it('exits 2 with one line when failover lacks --allow-data-loss', () => {
    const r = run(['failover']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
