import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import allowlist from './iam-wildcard-allowlist.json';
import {
  type Attrs,
  AWS_DICTATED_NAMES,
  AWS_MANAGED_POLICIES,
  ENCRYPTION_RULES,
  NAME_EXEMPT,
  NAME_KEYS,
  NO_DATA_AT_REST,
} from './classification';
import { allResources, synthAll, testConfig } from '../support/synth';
import { isWildcard, normalizeStatement } from './statements';

/**
 * Generic sweeps over every resource of every synthesized stack. They know no resource by name, so every
 * resource added later is checked the same way. The opt-in settings are on, so resources a configuration can add
 * (the account-wide API Gateway role, e-mail subscriptions) are swept too.
 */
const config = testConfig({
  environmentSuffix: 'sweep',
  api: { manageAccountCloudWatchRole: true },
  alerts: { emails: ['oncall@example.com'] },
});
const s = synthAll(config);
const all = allResources(s);
const literal = (v: unknown): v is string => typeof v === 'string' && !/^\$\{[^}]*\}$/.test(v);

function walk(value: unknown, visit: (key: string, v: unknown, path: string) => void, path = ''): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}[${i}]`));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, `${path}.${k}`);
      walk(v, visit, `${path}.${k}`);
    }
  }
}

describe('policy sweep over every synthesized resource', () => {
  it('finds resources in every stack', () => {
    expect(all.length).toBeGreaterThan(40);
  });

  it('classifies every resource type (data at rest or not)', () => {
    const unclassified = [...new Set(all.map((r) => r.type))].filter(
      (t) => !(t in ENCRYPTION_RULES) && !NO_DATA_AT_REST.has(t),
    );
    expect(unclassified, 'add these types to test/policy/classification.ts').toEqual([]);
  });

  it('encrypts every resource that holds data with a customer-managed key', () => {
    const failures = all.flatMap(({ stack, type, name, attrs }) => {
      const rule = ENCRYPTION_RULES[type];
      const problem = rule?.(attrs, { stack: s[stack].resource ?? {}, logicalName: name });
      return problem ? [`${stack}/${type}.${name}: ${problem}`] : [];
    });
    expect(failures).toEqual([]);
  });

  it('names every named resource with the environment suffix', () => {
    const failures: string[] = [];
    for (const { stack, type, name, attrs } of all) {
      if (type in NAME_EXEMPT) continue;
      for (const key of NAME_KEYS) {
        const v = attrs[key];
        if (literal(v) && !v.includes('-sweep') && !AWS_DICTATED_NAMES.some((d) => d.pattern.test(v)))
          failures.push(`${stack}/${type}.${name}.${key} = ${v}`);
      }
      const tagName = (attrs.tags as Attrs | undefined)?.Name;
      if (literal(tagName) && !tagName.includes('-sweep'))
        failures.push(`${stack}/${type}.${name}.tags.Name = ${tagName}`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves the standard tags to provider default tags (no resource overrides them)', () => {
    const reserved = ['Environment', 'Purpose', 'DR-Role', 'Region'];
    const failures = all.filter(({ attrs }) =>
      reserved.some((k) => k in ((attrs.tags as Attrs | undefined) ?? {})),
    );
    expect(failures.map((f) => `${f.stack}/${f.type}.${f.name}`)).toEqual([]);
    for (const stack of Object.values(s)) {
      for (const p of stack.provider?.aws ?? []) {
        const tags = (p.default_tags as Array<{ tags: Attrs }>)[0].tags;
        expect(Object.keys(tags)).toEqual(expect.arrayContaining(reserved));
      }
    }
  });

  it('keeps everything destroyable: no deletion protection, no prevent_destroy, no retained data', () => {
    const failures: string[] = [];
    for (const { stack, type, name, attrs } of all) {
      const where = `${stack}/${type}.${name}`;
      walk(attrs, (k, v, path) => {
        if ((k === 'deletion_protection' || k === 'deletion_protection_enabled') && v !== false)
          failures.push(`${where}${path} = ${String(v)}`);
        if (k === 'prevent_destroy' && v === true) failures.push(`${where}${path}`);
        if (k === 'skip_destroy' && v === true) failures.push(`${where}${path}`);
      });
      if (type === 'aws_s3_bucket' && attrs.force_destroy !== true)
        failures.push(`${where}: force_destroy is not true`);
      if (type === 'aws_rds_cluster' && attrs.skip_final_snapshot !== true)
        failures.push(`${where}: skip_final_snapshot is not true`);
      if (
        (type === 'aws_rds_cluster' || type === 'aws_dynamodb_table') &&
        attrs.deletion_protection === undefined &&
        attrs.deletion_protection_enabled === undefined
      ) {
        failures.push(`${where}: deletion protection must be set explicitly to false`);
      }
      if (type === 'aws_dynamodb_table') {
        for (const r of (attrs.replica as Attrs[] | undefined) ?? []) {
          if (r.deletion_protection_enabled !== false)
            failures.push(`${where}: replica ${String(r.region_name)} deletion protection not set to false`);
        }
      }
      // Deterministic names must be reusable at once by a redeploy: no 7-30 day recovery window on secrets.
      if (type === 'aws_secretsmanager_secret' && attrs.recovery_window_in_days !== 0)
        failures.push(`${where}: recovery_window_in_days is ${String(attrs.recovery_window_in_days)}, not 0`);
      // KMS cannot delete at once; the window must be explicit and the shortest AWS allows (7, default 30).
      if ((type === 'aws_kms_key' || type === 'aws_kms_replica_key') && attrs.deletion_window_in_days !== 7)
        failures.push(`${where}: deletion_window_in_days is ${String(attrs.deletion_window_in_days)}, not 7`);
    }
    expect(failures).toEqual([]);
  });

  it('attaches only AWS-managed policies that are listed (by ARN) with a reason for their wildcards', () => {
    for (const [arn, reason] of Object.entries(AWS_MANAGED_POLICIES))
      expect(reason.length, arn).toBeGreaterThan(40);
    const attached = new Set<string>();
    const failures: string[] = [];
    for (const { stack, type, name, attrs } of all) {
      const arns = [
        attrs.policy_arn,
        ...((attrs.managed_policy_arns as unknown[] | undefined) ?? []),
        ...((attrs.policy_arns as unknown[] | undefined) ?? []),
      ].filter((a): a is string => typeof a === 'string' && a.startsWith('arn:aws:iam::aws:policy/'));
      for (const arn of arns) {
        attached.add(arn);
        if (!(arn in AWS_MANAGED_POLICIES)) failures.push(`${stack}/${type}.${name}: ${arn}`);
      }
    }
    expect(failures, 'list these in AWS_MANAGED_POLICIES (test/policy/classification.ts)').toEqual([]);
    // No stale entries: the list says exactly what is attached.
    expect([...attached].sort()).toEqual(Object.keys(AWS_MANAGED_POLICIES).sort());
  });

  it('allows no IAM wildcard Action, Resource or Principal unless the whole statement is allow-listed with a reason', () => {
    for (const e of allowlist.entries) expect(e.reason.length, `${e.type}/${e.sid}`).toBeGreaterThan(20);
    const failures: string[] = [];
    const used = new Set<string>();
    const seen: Record<string, unknown[]> = {};
    let statements = 0;
    for (const { stack, type, name, attrs } of all) {
      walk(attrs, (k, v, path) => {
        if (!['policy', 'assume_role_policy', 'policy_document'].includes(k) || typeof v !== 'string') return;
        const doc = JSON.parse(v) as { Statement: Array<Record<string, unknown>> };
        for (const st of doc.Statement) {
          statements++;
          if (!isWildcard(st)) continue;
          const expected = normalizeStatement(st);
          const key = `${type}/${String(st.Sid)}`;
          (seen[key] ??= []).push(expected);
          // The whole statement (Sid, Effect, Principal, Action set, Resource set, Condition) must be listed: an
          // allow-listed Sid on a statement that grants anything else fails.
          const entry = allowlist.entries.find(
            (e) =>
              e.type === type &&
              e.sid === st.Sid &&
              e.statements.some((x) => JSON.stringify(x) === JSON.stringify(expected)),
          );
          if (!entry) failures.push(`${stack}/${type}.${name}${path} ${JSON.stringify(expected)}`);
          else used.add(key);
        }
      });
    }
    if (process.env.UPDATE_IAM_ALLOWLIST) {
      for (const e of allowlist.entries) {
        const found = seen[`${e.type}/${e.sid}`] ?? [];
        e.statements = [...new Set(found.map((x) => JSON.stringify(x)))].sort().map((x) => JSON.parse(x));
      }
      writeFileSync(
        join(__dirname, 'iam-wildcard-allowlist.json'),
        `${JSON.stringify(allowlist, null, 2)}\n`,
      );
    }
    expect(statements).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    // An entry no statement needs any more is a stale exception waiting to excuse the next one.
    expect(allowlist.entries.map((e) => `${e.type}/${e.sid}`).filter((e) => !used.has(e))).toEqual([]);
  });

  it('puts no secret in the synthesized JSON', () => {
    const text = JSON.stringify(s);
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    const failures: string[] = [];
    for (const { stack, type, name, attrs } of all) {
      walk(attrs, (k, v, path) => {
        if (!/password|secret_string/i.test(k) || /_version$|_length$/.test(k)) return;
        // Only write-only attributes fed by ephemeral values may carry a secret: nothing lands in JSON or state.
        if (!k.endsWith('_wo') || typeof v !== 'string' || !v.includes('ephemeral.')) {
          failures.push(`${stack}/${type}.${name}${path}`);
        }
      });
    }
    expect(failures).toEqual([]);
  });
});
