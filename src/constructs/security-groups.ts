import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktn/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktn/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

export interface AppSecurityGroupsProps {
  provider: AwsProvider;
  vpcId: string;
  /** Security group of the VPC's interface endpoints (Network.endpointSecurityGroup). */
  endpointSecurityGroupId: string;
  /** The other region's VPC, reached through peering (security groups cannot be referenced across regions). */
  peerCidr: string;
  /** Managed prefix lists of the S3 and DynamoDB gateway endpoints. */
  gatewayPrefixListIds: string[];
  lambdaName: string;
  databaseName: string;
}

const PG = 5432;
const HTTPS = 443;

/**
 * The two security groups of the data path, with rules as separate resources so each is least-open and
 * described: Lambda -> database (5432), Lambda -> AWS APIs (443 to the interface endpoints' security group and
 * to the gateway endpoints' prefix lists); database <- this region's Lambdas and <- the other region's VPC
 * through peering; interface endpoints <- this region's Lambdas (443). Groups are referenced instead of the VPC
 * CIDR, so nothing else placed in the VPC later is let through by these rules.
 */
export class AppSecurityGroups extends Construct {
  readonly lambda: SecurityGroup;
  readonly database: SecurityGroup;

  constructor(scope: Construct, id: string, p: AppSecurityGroupsProps) {
    super(scope, id);
    const provider = p.provider;
    this.lambda = new SecurityGroup(this, 'lambda', {
      provider,
      name: p.lambdaName,
      description:
        'Payment Lambdas: egress to the ledger database and to AWS APIs through VPC endpoints only',
      vpcId: p.vpcId,
      tags: { Name: p.lambdaName },
    });
    this.database = new SecurityGroup(this, 'database', {
      provider,
      name: p.databaseName,
      description: 'Aurora ledger: PostgreSQL from the payment Lambdas of both regions only',
      vpcId: p.vpcId,
      tags: { Name: p.databaseName },
    });

    new VpcSecurityGroupEgressRule(this, 'lambda-to-db', {
      provider,
      securityGroupId: this.lambda.id,
      description: 'PostgreSQL to the ledger database in this region',
      ipProtocol: 'tcp',
      fromPort: PG,
      toPort: PG,
      referencedSecurityGroupId: this.database.id,
    });
    new VpcSecurityGroupEgressRule(this, 'lambda-to-peer-db', {
      provider,
      securityGroupId: this.lambda.id,
      description: 'PostgreSQL to the ledger database in the other region, through peering',
      ipProtocol: 'tcp',
      fromPort: PG,
      toPort: PG,
      cidrIpv4: p.peerCidr,
    });
    const endpointSecurityGroupId = p.endpointSecurityGroupId;
    new VpcSecurityGroupEgressRule(this, 'lambda-to-endpoints', {
      provider,
      securityGroupId: this.lambda.id,
      description: 'HTTPS to the interface endpoints of AWS APIs in this VPC',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: endpointSecurityGroupId,
    });
    new VpcSecurityGroupIngressRule(this, 'endpoints-from-lambda', {
      provider,
      securityGroupId: endpointSecurityGroupId,
      description: 'HTTPS from the payment Lambdas of this region to the interface endpoints',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: this.lambda.id,
    });
    p.gatewayPrefixListIds.forEach((prefixListId, i) => {
      new VpcSecurityGroupEgressRule(this, `lambda-to-gateway-${i}`, {
        provider,
        securityGroupId: this.lambda.id,
        description: 'HTTPS to S3 / DynamoDB through their gateway endpoints',
        ipProtocol: 'tcp',
        fromPort: HTTPS,
        toPort: HTTPS,
        prefixListId,
      });
    });

    new VpcSecurityGroupIngressRule(this, 'db-from-lambda', {
      provider,
      securityGroupId: this.database.id,
      description: 'PostgreSQL from the payment Lambdas of this region',
      ipProtocol: 'tcp',
      fromPort: PG,
      toPort: PG,
      referencedSecurityGroupId: this.lambda.id,
    });
    new VpcSecurityGroupIngressRule(this, 'db-from-peer', {
      provider,
      securityGroupId: this.database.id,
      description: 'PostgreSQL from the other region VPC through peering (its payment Lambdas)',
      ipProtocol: 'tcp',
      fromPort: PG,
      toPort: PG,
      cidrIpv4: p.peerCidr,
    });
  }
}
