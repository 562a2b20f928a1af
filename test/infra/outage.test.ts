import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allResources, parsePolicy, synthAll, testConfig } from '../support/synth';

/**
 * What stays manageable while us-east-1 is down. IAM has one control plane for all commercial Regions, in us-east-1
 * ("There is one IAM control plane for all commercial AWS Regions, which is located in the US East (N. Virginia)
 * Region": IAM User Guide, "Resilience in AWS Identity and Access Management"), and Route 53's control plane is
 * there too. Every resource type of the secondary stack is classified here, so a new type forces the decision, and
 * the outage procedure in docs/deploy.md names exactly the types a us-east-1 outage blocks.
 */
const ROOT = join(__dirname, '..', '..');
const s = synthAll(
  testConfig({ api: { manageAccountCloudWatchRole: true }, alerts: { emails: ['oncall@example.com'] } }),
);

/** Resource types whose API calls, reads included, go to a control plane in us-east-1. */
const US_EAST_1_CONTROL_PLANE = new Set([
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_route53_record',
]);

describe('operating the secondary stack while us-east-1 is down', () => {
  const types = [
    ...new Set(
      allResources(s)
        .filter((r) => r.stack === 'secondary')
        .map((r) => r.type),
    ),
  ].sort();

  it('uses only the us-east-2 provider, its state in us-east-2, and us-east-2 data sources', () => {
    // The S3 backend of this stack is in us-east-2 (test/infra/stacks.test.ts).
    expect((s.secondary.provider?.aws ?? []).map((p) => p.region)).toEqual(['us-east-2']);
    // Data sources read regional APIs only (STS, KMS and ACM of us-east-2).
    const dataTypes = Object.keys(s.secondary.data ?? {}).sort();
    expect(dataTypes).toEqual(['aws_acm_certificate', 'aws_caller_identity', 'aws_kms_key']);
  });

  it('names exactly the resource types that need a us-east-1 control plane in the outage procedure', () => {
    const blocked = types.filter((t) => US_EAST_1_CONTROL_PLANE.has(t));
    expect(blocked.length).toBeGreaterThan(0);
    const guide = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8').replace(/\s+/g, ' ');
    const section = guide.slice(guide.indexOf('## Operating during a regional outage'));
    const listed = [...section.matchAll(/need us-east-1: ((?:`aws_[a-z0-9_]+`(?:, | and )?)+)/g)].flatMap(
      (m) => [...(m[1] as string).matchAll(/`(aws_[a-z0-9_]+)`/g)].map((x) => x[1] as string),
    );
    expect(listed.sort()).toEqual(blocked);
    // Everything else of the stack is regional: plannable with -refresh=false, appliable with -target.
    const regional = types.filter((t) => !US_EAST_1_CONTROL_PLANE.has(t));
    for (const t of regional) expect(t, t).not.toMatch(/^aws_(iam|route53|cloudfront|organizations)_/);
  });

  // The one iam: action: the plan's execution role simulates its own policy when ARC evaluates the plan (AWS's
  // managed plan execution policy, Sid PlanEvaluation). It reads; it changes nothing in IAM.
  const PLAN_EVALUATION = 'iam:SimulatePrincipalPolicy';
  it('keeps the failover path free of IAM changes: no policy grants an iam: action but plan evaluation', () => {
    const grants: string[] = [];
    for (const { stack, type, name, attrs } of allResources(s)) {
      for (const key of ['policy', 'policy_document']) {
        if (typeof attrs[key] !== 'string') continue;
        for (const st of parsePolicy(attrs[key]).Statement) {
          const actions = ([] as unknown[]).concat(st.Action ?? []);
          const changes = actions.filter(
            (a) => String(a).toLowerCase().startsWith('iam:') && a !== PLAN_EVALUATION,
          );
          if (st.Effect === 'Allow' && changes.length > 0)
            grants.push(`${stack}/${type}.${name} Sid=${String(st.Sid)}`);
        }
      }
    }
    expect(grants).toEqual([]);
  });

  it('never builds an IAM client in the functions or drctl (every AWS client comes from one factory)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).filter((d) => /client-iam$/.test(d))).toEqual([]);
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) sources.push(path);
      }
    };
    walk(join(ROOT, 'runtime'));
    walk(join(ROOT, 'cli'));
    for (const f of sources) expect(readFileSync(f, 'utf8'), f).not.toMatch(/client-iam|IAMClient/);
  });
});
