import { describe, expect, it } from 'vitest';
import { INTERFACE_ENDPOINT_SERVICES } from '../../src/constructs/network';
import { only, parsePolicy, regionOf, resources, synthAll, testConfig } from '../support/synth';

describe('network', () => {
  const s = synthAll();

  it.each([
    ['primary', '10.0.0.0/16', 'us-east-1', 'use1', ['use1-az1', 'use1-az2', 'use1-az4']],
    ['secondary', '10.1.0.0/16', 'us-east-2', 'use2', ['use2-az1', 'use2-az2', 'use2-az3']],
  ] as const)('%s: VPC %s with DNS, private subnets in 3 pinned AZs', (id, cidr, region, code, azs) => {
    const st = s[id];
    expect(only(st, 'aws_vpc')).toMatchObject({
      cidr_block: cidr,
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: `payment-processing-vpc-test-${code}` },
    });
    const subnets = resources(st, 'aws_subnet').map(([, r]) => r);
    expect(subnets).toHaveLength(3);
    expect(subnets.map((x) => x.cidr_block)).toEqual(
      [0, 1, 2].map((i) => `\${cidrsubnet("${cidr}", 4, ${i})}`),
    );
    expect(subnets.map((x) => x.availability_zone_id)).toEqual(azs);
    for (const x of subnets) expect(x.map_public_ip_on_launch).toBe(false);
    expect(resources(st, 'aws_route_table_association')).toHaveLength(3);
    expect(JSON.stringify(st)).toContain(`com.amazonaws.${region}.s3`);
  });

  it('uses 2 AZs when configured', () => {
    const t = synthAll(
      testConfig({ network: { azCount: 2, azIds: { 'us-east-2': ['use2-az3', 'use2-az1'] } } }),
    );
    expect(resources(t.primary, 'aws_subnet').map(([, r]) => r.availability_zone_id)).toEqual([
      'use1-az1',
      'use1-az2',
    ]);
    expect(resources(t.secondary, 'aws_subnet').map(([, r]) => r.availability_zone_id)).toEqual([
      'use2-az3',
      'use2-az1',
    ]);
    expect(() => testConfig({ network: { azIds: { 'us-east-1': ['use1-az1'] } } })).toThrow(
      /network\.azIds\.us-east-1: needs 3 distinct AZ ids/,
    );
  });

  it('has no internet gateway, NAT gateway or public route', () => {
    for (const id of ['primary', 'secondary'] as const) {
      expect(resources(s[id], 'aws_internet_gateway')).toHaveLength(0);
      expect(resources(s[id], 'aws_nat_gateway')).toHaveLength(0);
      expect(JSON.stringify(s[id])).not.toContain('0.0.0.0/0');
    }
  });

  const regions = [
    ['primary', 'us-east-1', 'use1', '10.1.0.0/16'],
    ['secondary', 'us-east-2', 'use2', '10.0.0.0/16'],
  ] as const;

  it.each(regions)(
    '%s: S3 and DynamoDB through gateway endpoints, Secrets Manager (the only other API) through an interface endpoint',
    (id, region) => {
      const endpoints = resources(s[id], 'aws_vpc_endpoint').map(([, r]) => r);
      const gateways = endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway').map((e) => e.service_name);
      expect(gateways.sort()).toEqual([`com.amazonaws.${region}.dynamodb`, `com.amazonaws.${region}.s3`]);
      const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
      // KMS and STS are not called from inside the VPC (see INTERFACE_ENDPOINT_SERVICES); each endpoint costs.
      expect(INTERFACE_ENDPOINT_SERVICES).toEqual(['secretsmanager']);
      expect(interfaces.map((e) => e.service_name)).toEqual([`com.amazonaws.${region}.secretsmanager`]);
      for (const e of interfaces) {
        expect(e.private_dns_enabled).toBe(true);
        expect(e.subnet_ids).toHaveLength(3);
        expect(e.security_group_ids).toEqual([
          expect.stringContaining('aws_security_group.network_endpoint-sg'),
        ]);
      }
    },
  );

  it.each(regions)('%s: closes the default security group and describes every security group', (id) => {
    expect(only(s[id], 'aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
    for (const [, sg] of resources(s[id], 'aws_security_group')) {
      expect(String(sg.description).length).toBeGreaterThan(10);
      // Every rule is a separate, described resource (inline rules would fight them).
      expect(sg.ingress).toBeUndefined();
    }
  });

  it.each(regions)(
    '%s: describes every separate security group rule and opens 443 by group reference, not by VPC CIDR',
    (id, _region, code, peerCidr) => {
      const ingress = resources(s[id], 'aws_vpc_security_group_ingress_rule').map(([, r]) => r);
      const egress = resources(s[id], 'aws_vpc_security_group_egress_rule').map(([, r]) => r);
      for (const rule of [...ingress, ...egress]) {
        expect(String(rule.description).length, JSON.stringify(rule)).toBeGreaterThan(10);
        expect(rule.ip_protocol).toBe('tcp');
        expect(rule.from_port).toBe(rule.to_port);
        expect(rule.cidr_ipv4 === undefined || rule.cidr_ipv4 === peerCidr, JSON.stringify(rule)).toBe(true);
      }
      const lambdaSg = '${aws_security_group.security-groups_lambda_';
      const endpointSg = '${aws_security_group.network_endpoint-sg_';
      const target = (r: Record<string, unknown>) =>
        String(r.referenced_security_group_id ?? r.cidr_ipv4 ?? r.prefix_list_id);
      // The Lambda group's whole egress: the ledger here and in the peer region, the endpoints, the gateways.
      const lambdaEgress = egress.filter((r) => String(r.security_group_id).startsWith(lambdaSg));
      expect(lambdaEgress).toHaveLength(egress.length);
      expect(lambdaEgress.map((r) => [r.from_port, target(r).replace(/_[0-9A-F]{8}\./, '.')]).sort()).toEqual(
        [
          [443, '${aws_security_group.network_endpoint-sg.id}'],
          [443, '${aws_vpc_endpoint.network_dynamodb-endpoint.prefix_list_id}'],
          [443, '${aws_vpc_endpoint.network_s3-endpoint.prefix_list_id}'],
          [5432, '${aws_security_group.security-groups_database.id}'],
          [5432, peerCidr],
        ].sort(),
      );
      // The interface endpoints admit HTTPS from the Lambda group only.
      const toEndpoints = ingress.filter((r) => String(r.security_group_id).startsWith(endpointSg));
      expect(toEndpoints).toEqual([
        expect.objectContaining({
          from_port: 443,
          to_port: 443,
          referenced_security_group_id: expect.stringMatching(
            /^\$\{aws_security_group\.security-groups_lambda_/,
          ),
        }),
      ]);
      expect(toEndpoints[0].cidr_ipv4).toBeUndefined();
      const endpointGroup = only(s[id], 'aws_security_group', (r) => String(r.name).includes('-endpoints-'));
      expect(endpointGroup).toMatchObject({ name: `payment-processing-endpoints-test-${code}`, egress: [] });
    },
  );

  it.each(regions)(
    '%s: sends all flow logs to a CMK-encrypted log group through a role limited to that group',
    (id, region, code) => {
      const flow = only(s[id], 'aws_flow_log');
      expect(flow).toMatchObject({
        traffic_type: 'ALL',
        log_destination_type: 'cloud-watch-logs',
        max_aggregation_interval: 60,
        vpc_id: expect.stringMatching(/^\$\{aws_vpc\.network_vpc_\w+\.id\}$/),
      });
      const group = only(s[id], 'aws_cloudwatch_log_group', (g) => String(g.name).includes('flow-logs'));
      expect(group).toMatchObject({
        name: `/aws/vpc/payment-processing-flow-logs-test-${code}`,
        retention_in_days: 365,
        kms_key_id: '${data.aws_kms_key.ops-key.arn}',
      });
      expect(regionOf(s[id], s[id].data?.aws_kms_key?.['ops-key'] as Record<string, unknown>)).toBe(region);
      const rolePolicy = only(s[id], 'aws_iam_role_policy', (p) => p.name === 'write-flow-logs');
      const st = parsePolicy(rolePolicy.policy).Statement;
      expect(st).toHaveLength(1);
      expect(st[0].Resource).toEqual([
        expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.network_flow-logs.+\.arn\}$/),
        expect.stringMatching(/:log-stream:\*$/),
      ]);
      const role = only(s[id], 'aws_iam_role', (r) => r.name === `payment-processing-flow-logs-test-${code}`);
      expect(parsePolicy(role.assume_role_policy).Statement[0].Principal).toEqual({
        Service: 'vpc-flow-logs.amazonaws.com',
      });
    },
  );

  it('peers the VPCs: requested in the primary region, auto-accepted in the secondary, routes both ways', () => {
    const ic = s.interconnect;
    const peering = only(ic, 'aws_vpc_peering_connection');
    expect(peering).toMatchObject({ peer_region: 'us-east-2', auto_accept: false });
    expect(regionOf(ic, peering)).toBe('us-east-1');
    const accepter = only(ic, 'aws_vpc_peering_connection_accepter');
    expect(accepter).toMatchObject({ auto_accept: true });
    expect(regionOf(ic, accepter)).toBe('us-east-2');
    const routes = resources(ic, 'aws_route').map(([, r]) => r);
    expect(routes.map((r) => [r.destination_cidr_block, regionOf(ic, r)])).toEqual([
      ['10.1.0.0/16', 'us-east-1'],
      ['10.0.0.0/16', 'us-east-2'],
    ]);
    const vpcLookups = Object.values(ic.data?.aws_vpc ?? {}).map((d) => JSON.stringify(d.filter));
    expect(vpcLookups.join()).toContain('payment-processing-vpc-test-use1');
    expect(vpcLookups.join()).toContain('payment-processing-vpc-test-use2');
  });
});
