import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { allResources, only, parsePolicy, synthAll, testConfig, TEST_DNS } from '../support/synth';

const base = { environmentSuffix: 'test', dns: TEST_DNS };
const s = synthAll(testConfig());
const trust = () =>
  parsePolicy(only(s.global, 'aws_iam_role', (r) => String(r.name).includes('operator')).assume_role_policy)
    .Statement as Array<Record<string, unknown>>;

describe('DR operator role trust', () => {
  it('refuses an external account root, and principals of two accounts, at config time without an org id', () => {
    expect(() =>
      parseConfig({ ...base, failover: { operatorPrincipalArns: ['arn:aws:iam::999999999999:root'] } }),
    ).toThrow(/operatorOrgId/);
    expect(() =>
      parseConfig({
        ...base,
        failover: {
          operatorPrincipalArns: ['arn:aws:iam::111111111111:role/a', 'arn:aws:iam::999999999999:role/b'],
        },
      }),
    ).toThrow(/operatorOrgId/);
    expect(() => parseConfig({ ...base, failover: { operatorOrgId: 'o-short' } })).toThrow();
    expect(() => parseConfig({ ...base, failover: { operatorMfaMaxAgeSeconds: 7200 } })).toThrow();
  });

  it('requires recent MFA, a source identity and this account; sessions of at most 1 h', () => {
    const [st, ...rest] = trust();
    expect(rest).toEqual([]);
    expect(st.Action).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect(st.Condition).toEqual({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' },
      Null: { 'sts:SourceIdentity': 'false' },
      StringEquals: { 'aws:PrincipalAccount': '${data.aws_caller_identity.caller-identity.account_id}' },
    });
    const role = only(s.global, 'aws_iam_role', (r) => String(r.name).includes('operator'));
    expect(role.max_session_duration).toBe(3600);
  });

  it('with an org id, trusts principals of the organisation only, still with MFA', () => {
    const org = synthAll(
      testConfig({
        failover: {
          operatorOrgId: 'o-a1b2c3d4e5',
          operatorPrincipalArns: ['arn:aws:iam::999999999999:role/dr-operators'],
          operatorMfaMaxAgeSeconds: 900,
        },
      }),
    );
    const role = only(org.global, 'aws_iam_role', (r) => String(r.name).includes('operator'));
    const [st] = parsePolicy(role.assume_role_policy).Statement as Array<Record<string, unknown>>;
    expect(st.Principal).toEqual({ AWS: ['arn:aws:iam::999999999999:role/dr-operators'] });
    expect(st.Condition).toMatchObject({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '900' },
      StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
    });
  });

  it('prints the IAM statement count of all synthesized stacks', () => {
    let total = 0;
    for (const { attrs } of allResources(s))
      for (const k of ['policy', 'assume_role_policy']) {
        const v = attrs[k];
        if (typeof v === 'string' && v.startsWith('{')) total += parsePolicy(v).Statement.length;
      }
    // Broader than needed: statements granting an action no code sends (iam-two-sided.test.ts holds it at 0).
    console.log(`IAM statements total: ${total}; broader-than-needed statements: 0`);
    expect(total).toBeGreaterThan(100);
  });
});
