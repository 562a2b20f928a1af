import { describe, expect, it } from 'vitest';
import { assertSupportedEngineVersion } from '../../src/constructs/aurora-global';
import { only, parsePolicy, regionOf, resources, synthAll, testConfig } from '../support/synth';

describe('Aurora PostgreSQL global database', () => {
  const s = synthAll();
  const globalCluster = only(s.global, 'aws_rds_global_cluster');
  const cluster = (id: 'primary' | 'secondary') => only(s[id], 'aws_rds_cluster');

  it('creates an encrypted global cluster on 14.x by default, in the primary region, without extended support', () => {
    expect(globalCluster).toMatchObject({
      global_cluster_identifier: 'payment-processing-ledger-global-test',
      engine: 'aurora-postgresql',
      engine_version: '14.15',
      database_name: 'payments',
      storage_encrypted: true,
      deletion_protection: false,
      engine_lifecycle_support: 'open-source-rds-extended-support-disabled',
    });
    expect(regionOf(s.global, globalCluster)).toBe('us-east-1');
  });

  it('refuses engine versions that cannot run a Serverless v2 global database', () => {
    expect(() => assertSupportedEngineVersion('14.2')).toThrow(/need 14\.3\+/);
    expect(() => assertSupportedEngineVersion('13.12')).toThrow(/choose major 14, 15, 16, 17/);
    expect(() => assertSupportedEngineVersion('14.3')).not.toThrow();
    expect(() => testConfig({ database: { engineVersion: '15.1' } })).toThrow(
      /database\.engineVersion: .*need 15\.2\+/,
    );
    expect(() => testConfig({ database: { engineVersion: '18.1' } })).toThrow(/database\.engineVersion/);
    expect(() => testConfig({ database: { engineVersion: '16' } })).toThrow(/major\.minor/);
  });

  it.each([
    ['15.10', 15],
    ['16.6', 16],
    ['17.5', 17],
  ] as const)(
    'runs on %s too: the major is config, the parameter group family and name follow it',
    (v, major) => {
      const t = synthAll(testConfig({ database: { engineVersion: v } }));
      expect(only(t.global, 'aws_rds_global_cluster').engine_version).toBe(v);
      for (const [id, code] of [
        ['primary', 'use1'],
        ['secondary', 'use2'],
      ] as const) {
        const group = only(t[id], 'aws_rds_cluster_parameter_group');
        expect(group).toMatchObject({
          family: `aurora-postgresql${major}`,
          name: `payment-processing-ledger-test-${code}-pg${major}`,
          // A major upgrade creates the new family's group before deleting the old one (still in use until then).
          lifecycle: { create_before_destroy: true },
        });
        expect(only(t[id], 'aws_rds_cluster').engine_version).toBe(v);
        for (const [, i] of resources(t[id], 'aws_rds_cluster_instance')) expect(i.engine_version).toBe(v);
      }
    },
  );

  it.each(['primary', 'secondary'] as const)(
    '%s cluster joins the global cluster by its deterministic id',
    (id) => {
      const c = cluster(id);
      expect(c.global_cluster_identifier).toBe(globalCluster.global_cluster_identifier);
      expect(c.engine).toBe(globalCluster.engine);
      expect(c.engine_version).toBe(globalCluster.engine_version);
      expect(c.cluster_identifier).toBe(
        `payment-processing-ledger-test-${id === 'primary' ? 'use1' : 'use2'}`,
      );
    },
  );

  it.each(['primary', 'secondary'] as const)(
    '%s cluster: Serverless v2, CMK, IAM auth, logs, backups, destroyable',
    (id) => {
      expect(cluster(id)).toMatchObject({
        engine_mode: 'provisioned',
        serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 4 },
        storage_encrypted: true,
        kms_key_id: '${data.aws_kms_key.data-key.arn}',
        iam_database_authentication_enabled: true,
        enabled_cloudwatch_logs_exports: ['postgresql'],
        backup_retention_period: 1,
        copy_tags_to_snapshot: true,
        deletion_protection: false,
        skip_final_snapshot: true,
      });
      expect(s[id].data?.aws_kms_key?.['data-key']).toMatchObject({
        key_id: 'alias/payment-processing-data-test',
      });
    },
  );

  it('ignores the fields AWS changes after creation or failover (known provider pitfalls)', () => {
    for (const id of ['primary', 'secondary'] as const) {
      expect((cluster(id).lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual([
        'engine_version',
        'replication_source_identifier',
        'global_cluster_identifier',
        'database_name',
      ]);
      for (const [, i] of resources(s[id], 'aws_rds_cluster_instance')) {
        expect((i.lifecycle as { ignore_changes: string[] }).ignore_changes).toContain('engine_version');
      }
    }
  });

  it('upgrades only through the global cluster: no per-instance minor upgrades, global engine_version managed', () => {
    for (const id of ['primary', 'secondary'] as const) {
      const instances = resources(s[id], 'aws_rds_cluster_instance').map(([, i]) => i);
      expect(instances.map((i) => i.auto_minor_version_upgrade)).toEqual([false, false]);
    }
    // The global cluster's engine_version is the upgrade lever, so Terraform must not ignore it.
    const ignored = (globalCluster.lifecycle as { ignore_changes?: string[] } | undefined)?.ignore_changes;
    expect(ignored ?? []).not.toContain('engine_version');
    const upgraded = synthAll(testConfig({ database: { engineVersion: '14.17' } }));
    expect(only(upgraded.global, 'aws_rds_global_cluster').engine_version).toBe('14.17');
  });

  it.each([
    ['primary', 'use1'],
    ['secondary', 'use2'],
  ] as const)(
    '%s: creates the exported PostgreSQL log group (CMK, retention) before the cluster',
    (id, code) => {
      const name = `/aws/rds/cluster/payment-processing-ledger-test-${code}/postgresql`;
      const [[logicalName, group]] = resources(s[id], 'aws_cloudwatch_log_group').filter(
        ([, g]) => g.name === name,
      );
      expect(group).toMatchObject({
        kms_key_id: '${data.aws_kms_key.ops-key.arn}',
        retention_in_days: 365,
        skip_destroy: false,
      });
      // The group name must follow the cluster id RDS writes to.
      expect(name).toContain(String(cluster(id).cluster_identifier));
      expect(cluster(id).depends_on).toEqual([`aws_cloudwatch_log_group.${logicalName}`]);
      const t = synthAll(testConfig({ logRetentionDays: 30 }));
      expect(only(t[id], 'aws_cloudwatch_log_group', (g) => g.name === name).retention_in_days).toBe(30);
    },
  );

  it('staggers maintenance: never both regions on one day, never both instances of a cluster at once', () => {
    const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    /** A weekly window as [start, end) in minutes of the week. */
    const weekly = (w: unknown): [number, number] => {
      const m = /^(\w{3}):(\d\d):(\d\d)-(\w{3}):(\d\d):(\d\d)$/.exec(String(w));
      expect(m, String(w)).not.toBeNull();
      const at = (d: string, h: string, min: string) => DAYS.indexOf(d) * 1440 + Number(h) * 60 + Number(min);
      const [, d1, h1, m1, d2, h2, m2] = m as RegExpExecArray;
      return [at(d1, h1, m1), at(d2, h2, m2)];
    };
    const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];
    const windows = (id: 'primary' | 'secondary') => {
      const c = cluster(id);
      const instances = resources(s[id], 'aws_rds_cluster_instance').map(([, i]) =>
        weekly(i.preferred_maintenance_window),
      );
      return {
        cluster: weekly(c.preferred_maintenance_window),
        instances,
        backup: String(c.preferred_backup_window),
      };
    };
    const p = windows('primary');
    const q = windows('secondary');
    for (const w of [p, q]) {
      // At least 30 minutes each (RDS minimum), the instances apart from each other.
      for (const x of [w.cluster, ...w.instances]) expect(x[1] - x[0]).toBeGreaterThanOrEqual(30);
      expect(w.instances).toHaveLength(2);
      expect(overlap(w.instances[0], w.instances[1])).toBe(false);
      // The daily backup window stays clear of the cluster's maintenance window on its day.
      const [bs, be] = w.backup.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
      const day = Math.floor(w.cluster[0] / 1440) * 1440;
      expect(overlap([day + bs, day + be], w.cluster)).toBe(false);
    }
    // The regions never share a maintenance day.
    const days = (w: typeof p) => new Set([w.cluster, ...w.instances].map((x) => Math.floor(x[0] / 1440)));
    for (const d of days(p)) expect(days(q).has(d), DAYS[d]).toBe(false);
  });

  it('names the database on the global cluster and the primary, as the provider examples do; never on the secondary', () => {
    expect(globalCluster.database_name).toBe('payments');
    expect(cluster('primary').database_name).toBe('payments');
    // AWS refuses a database name on a cross-region replica ("Cannot specify database name for cross region
    // replication cluster").
    expect(cluster('secondary').database_name).toBeUndefined();
    // The functions that connect to the database connect to the same name.
    const env = Object.values(s.primary.resource?.aws_lambda_function ?? {})
      .map((f) => (f.environment as { variables: Record<string, string> }).variables.DB_NAME)
      .filter((name) => name !== undefined);
    expect(env.length).toBeGreaterThan(0);
    expect(new Set(env)).toEqual(new Set(['payments']));
  });

  it('gives master credentials to the primary only, through a write-only attribute fed by an ephemeral password', () => {
    const p = cluster('primary');
    expect(p.master_username).toBe('payments_admin');
    expect(p.master_password).toBeUndefined();
    expect(p.manage_master_user_password).toBeUndefined();
    expect(p.master_password_wo_version).toBe(1);
    // The cluster gets the password the secret holds (read back from the written version), never a second
    // draw of the generator: a retried apply cannot leave the secret and the cluster with different passwords.
    const readBack =
      /^\$\{jsondecode\(ephemeral\.aws_secretsmanager_secret_version\.([\w-]+)\.secret_string\)\.password\}$/;
    expect(p.master_password_wo).toMatch(readBack);
    const readName = readBack.exec(String(p.master_password_wo))?.[1] as string;
    const [[versionName, version]] = resources(s.primary, 'aws_secretsmanager_secret_version');
    const [[secretName]] = resources(s.primary, 'aws_secretsmanager_secret');
    expect(s.primary.ephemeral?.aws_secretsmanager_secret_version?.[readName]).toEqual({
      provider: 'aws',
      secret_id: `\${aws_secretsmanager_secret.${secretName}.id}`,
      version_id: `\${aws_secretsmanager_secret_version.${versionName}.version_id}`,
    });
    expect(version.secret_string_wo).toMatch(/ephemeral\.random_password\.[\w-]+\.result/);
    expect(JSON.stringify(p)).not.toContain('random_password');
    const sec = cluster('secondary');
    for (const k of ['master_username', 'master_password', 'master_password_wo', 'database_name'])
      expect(sec[k]).toBeUndefined();
    const pw = Object.values(s.primary.ephemeral?.random_password ?? {});
    expect(pw).toHaveLength(1);
    expect(pw[0]).toMatchObject({ length: 40, special: true });
    expect(String(pw[0].override_special)).not.toMatch(/[/@" ]/);
  });

  it('stores the master secret with the CMK, replicated to the secondary region, rotated by version', () => {
    const secret = only(s.primary, 'aws_secretsmanager_secret');
    expect(secret).toMatchObject({
      name: 'payment-processing-ledger-master-test',
      kms_key_id: '${data.aws_kms_key.data-key.arn}',
      recovery_window_in_days: 0,
      replica: [{ region: 'us-east-2', kms_key_id: 'alias/payment-processing-data-test' }],
    });
    const version = only(s.primary, 'aws_secretsmanager_secret_version');
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toContain('ephemeral.random_password.');
    expect(version.secret_string_wo_version).toBe(1);
    const rotated = synthAll(testConfig({ database: { masterPasswordVersion: 2 } }));
    expect(only(rotated.primary, 'aws_secretsmanager_secret_version').secret_string_wo_version).toBe(2);
    expect(only(rotated.primary, 'aws_rds_cluster').master_password_wo_version).toBe(2);
  });

  it.each(['primary', 'secondary'] as const)(
    '%s: two Serverless v2 instances with monitoring and encrypted Performance Insights',
    (id) => {
      const instances = resources(s[id], 'aws_rds_cluster_instance').map(([, i]) => i);
      expect(instances).toHaveLength(2);
      instances.forEach((i, n) => {
        expect(i).toMatchObject({
          instance_class: 'db.serverless',
          engine: 'aurora-postgresql',
          publicly_accessible: false,
          promotion_tier: n,
          monitoring_interval: 30,
          performance_insights_enabled: true,
          performance_insights_kms_key_id: '${data.aws_kms_key.data-key.arn}',
          performance_insights_retention_period: 7,
        });
        expect(String(i.monitoring_role_arn)).toMatch(
          /^\$\{aws_iam_role\.ledger_monitoring-role_\w+\.arn\}$/,
        );
      });
      const role = only(s[id], 'aws_iam_role', (r) => String(r.name).endsWith('-monitoring'));
      expect(parsePolicy(role.assume_role_policy).Statement[0].Principal).toEqual({
        Service: 'monitoring.rds.amazonaws.com',
      });
      expect(
        only(s[id], 'aws_iam_role_policy_attachment', (a) => String(a.role).includes('monitoring-role'))
          .policy_arn,
      ).toBe('arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole');
    },
  );

  it('enforces TLS and logs changes without values; sets no rds.global_db_rpo by default', () => {
    const params = Object.fromEntries(
      (
        only(s.primary, 'aws_rds_cluster_parameter_group').parameter as Array<{ name: string; value: string }>
      ).map((x) => [x.name, x.value]),
    );
    expect(params).toMatchObject({
      'rds.force_ssl': '1',
      ssl_min_protocol_version: 'TLSv1.2',
      log_statement: 'mod',
      log_parameter_max_length: '0',
    });
    expect(params['rds.global_db_rpo']).toBeUndefined();
    expect(only(s.primary, 'aws_rds_cluster_parameter_group').family).toBe('aurora-postgresql14');
  });

  it('puts the opt-in RPO bound on the primary cluster only (AWS: default on the secondary of two Regions)', () => {
    const t = synthAll(testConfig({ database: { rpoBoundSeconds: 60 } }));
    const rpo = (id: 'primary' | 'secondary') =>
      (
        only(t[id], 'aws_rds_cluster_parameter_group').parameter as Array<{
          name: string;
          value: string;
          apply_method: string;
        }>
      ).find((x) => x.name === 'rds.global_db_rpo');
    // Dynamic: applied (and reset in an incident) without a reboot.
    expect(rpo('primary')).toEqual({ name: 'rds.global_db_rpo', value: '60', apply_method: 'immediate' });
    expect(rpo('secondary')).toBeUndefined();
    expect(() => testConfig({ database: { rpoBoundSeconds: 5 } })).toThrow(/database\.rpoBoundSeconds/);
    expect(() => testConfig({ database: { rpoBoundSeconds: 7200 } })).toThrow(/database\.rpoBoundSeconds/);
    // The RPO lag alarm must page before the bound blocks commits.
    expect(() =>
      testConfig({ database: { rpoBoundSeconds: 20 }, thresholds: { auroraRpoLagMs: 20_000 } }),
    ).toThrow(/thresholds\.auroraRpoLagMs: must be below database\.rpoBoundSeconds \(20000 ms\)/);
  });

  it('gives the secondary cluster the same parameter group as the primary, RPO bound aside', () => {
    const group = (c: typeof s, id: 'primary' | 'secondary') =>
      only(c[id], 'aws_rds_cluster_parameter_group');
    // Everything but the (per-region) name: family, description and every parameter with its apply method.
    const settings = (c: typeof s, id: 'primary' | 'secondary') =>
      Object.fromEntries(Object.entries(group(c, id)).filter(([k]) => k !== 'name'));
    expect(settings(s, 'secondary')).toEqual(settings(s, 'primary'));
    expect((group(s, 'primary').parameter as unknown[]).length).toBeGreaterThanOrEqual(7);
    expect([group(s, 'primary').name, group(s, 'secondary').name]).toEqual([
      'payment-processing-ledger-test-use1-pg14',
      'payment-processing-ledger-test-use2-pg14',
    ]);
    const bounded = synthAll(testConfig({ database: { rpoBoundSeconds: 60 } }));
    const withoutRpo = (id: 'primary' | 'secondary') =>
      (group(bounded, id).parameter as Array<{ name: string }>).filter((x) => x.name !== 'rds.global_db_rpo');
    expect(withoutRpo('secondary')).toEqual(withoutRpo('primary'));
    for (const id of ['primary', 'secondary'] as const) {
      expect(cluster(id).db_cluster_parameter_group_name).toMatch(
        /^\$\{aws_rds_cluster_parameter_group\.[\w-]+\.name\}$/,
      );
    }
  });

  it('places the clusters in the private subnets and admits 5432 only from the Lambda SG and the peer VPC', () => {
    for (const [id, peer] of [
      ['primary', '10.1.0.0/16'],
      ['secondary', '10.0.0.0/16'],
    ] as const) {
      const subnetGroup = only(s[id], 'aws_db_subnet_group');
      expect(subnetGroup.subnet_ids).toHaveLength(3);
      const ingress = resources(s[id], 'aws_vpc_security_group_ingress_rule')
        .map(([, r]) => r)
        .filter((r) => String(r.security_group_id).includes('security-groups_database'));
      expect(ingress).toHaveLength(2);
      for (const r of ingress)
        expect(r).toMatchObject({ ip_protocol: 'tcp', from_port: 5432, to_port: 5432 });
      expect(ingress.map((r) => r.cidr_ipv4).filter(Boolean)).toEqual([peer]);
      expect(
        String(ingress.find((r) => r.referenced_security_group_id)?.referenced_security_group_id),
      ).toContain('security-groups_lambda');
      const dbSg = only(s[id], 'aws_security_group', (g) => String(g.name).includes('ledger-db'));
      expect(cluster(id).vpc_security_group_ids).toEqual([
        expect.stringContaining('security-groups_database'),
      ]);
      expect(dbSg.ingress).toBeUndefined();
    }
  });

  it('keeps the secondary stack independent of the primary state', () => {
    const text = JSON.stringify(s.secondary);
    expect(text).not.toMatch(/remote_state/);
    expect(s.secondary.provider?.aws.map((p) => p.region)).toEqual(['us-east-2']);
    expect(only(s.secondary, 'aws_rds_cluster').global_cluster_identifier).toBe(
      'payment-processing-ledger-global-test',
    );
  });
});
