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

  it('reaches S3 and DynamoDB through gateway endpoints and other APIs through interface endpoints', () => {
    const endpoints = resources(s.primary, 'aws_vpc_endpoint').map(([, r]) => r);
    const gateways = endpoints.filter((e) => e.vpc_endpoint_type === 'Gateway').map((e) => e.service_name);
    expect(gateways.sort()).toEqual(['com.amazonaws.us-east-1.dynamodb', 'com.amazonaws.us-east-1.s3']);
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => e.service_name).sort()).toEqual(
      [...INTERFACE_ENDPOINT_SERVICES].map((x) => `com.amazonaws.us-east-1.${x}`).sort(),
    );
    for (const e of interfaces) {
      expect(e.private_dns_enabled).toBe(true);
      expect(e.subnet_ids).toHaveLength(3);
    }
  });

  it('closes the default security group and describes every security group and rule', () => {
    expect(only(s.primary, 'aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
    for (const [, sg] of resources(s.primary, 'aws_security_group')) {
      expect(String(sg.description).length).toBeGreaterThan(10);
      for (const rule of [
        ...((sg.ingress as Array<Record<string, unknown>>) ?? []),
        ...((sg.egress as Array<Record<string, unknown>>) ?? []),
      ]) {
        expect(String(rule.description).length).toBeGreaterThan(3);
        expect(rule.cidr_blocks ?? []).not.toContain('0.0.0.0/0');
      }
    }
    const endpointSg = only(
      s.primary,
      'aws_security_group',
      (r) => r.name === 'payment-processing-endpoints-test-use1',
    );
    expect(endpointSg.ingress).toEqual([
      expect.objectContaining({
        from_port: 443,
        to_port: 443,
        protocol: 'tcp',
        cidr_blocks: ['10.0.0.0/16'],
      }),
    ]);
  });

  it('sends all flow logs to a CMK-encrypted log group through a role limited to that group', () => {
    const flow = only(s.primary, 'aws_flow_log');
    expect(flow).toMatchObject({
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      max_aggregation_interval: 60,
    });
    const group = only(s.primary, 'aws_cloudwatch_log_group', (g) => String(g.name).includes('flow-logs'));
    expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: '${data.aws_kms_key.ops-key.arn}' });
    const rolePolicy = only(s.primary, 'aws_iam_role_policy', (p) => p.name === 'write-flow-logs');
    const st = parsePolicy(rolePolicy.policy).Statement;
    expect(st).toHaveLength(1);
    expect(st[0].Resource).toEqual([
      expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..+\.arn\}$/),
      expect.stringMatching(/:log-stream:\*$/),
    ]);
  });

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
