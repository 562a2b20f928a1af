import { DefaultSecurityGroup } from '@cdktn/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktn/provider-aws/lib/flow-log';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { RouteTable } from '@cdktn/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktn/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktn/provider-aws/lib/security-group';
import { Subnet } from '@cdktn/provider-aws/lib/subnet';
import { Vpc } from '@cdktn/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktn/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktn';
import { Construct } from 'constructs';
import type { Region } from '../config';
import { arn } from '../grants';
import { assumeRolePolicy, type PolicyStatement, policy } from '../iam';
import type { ResourceNames } from '../resource-names';
import { EncryptedLogGroup } from './log-group';

/**
 * Interface endpoints for the AWS APIs that VPC-attached Lambdas call (there is no NAT gateway). Each costs
 * about $22 a month per region with three AZs, so only APIs a VPC function actually calls get one
 * (runtime/): the migration function reads the master secret from Secrets Manager. The payment function
 * (which also serves /health) reaches DynamoDB and S3 through their gateway endpoints and signs its RDS IAM
 * token locally (@aws-sdk/rds-signer, no API call); KMS is used by S3, Lambda and Secrets Manager on the
 * service side, never called from the functions; the Lambda runtime provides credentials, so no STS call
 * either. The failover functions do not run in the VPC.
 */
export const INTERFACE_ENDPOINT_SERVICES = ['secretsmanager'] as const;

/**
 * What the VPC's functions may reach through the gateway endpoints (runtime/payment-api, runtime/health; the
 * migration function calls only Secrets Manager, through its interface endpoint): the receipts bucket (PutObject,
 * GetObject; HeadBucket, which S3 authorizes as s3:ListBucket) and the control and sessions tables (GetItem,
 * PutItem, UpdateItem). The same actions as the functions' IAM grants (payment-service.ts, health-service.ts).
 */
export const GATEWAY_ENDPOINT_ACTIONS = {
  s3: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
  dynamodb: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;

/**
 * An endpoint policy for a gateway endpoint: requests through it may reach only the named resources, only when they
 * belong to this account (`aws:ResourceAccount`), and only for principals of this account (`aws:PrincipalAccount`).
 * Without a policy a gateway endpoint allows everything ("If you don't attach an endpoint policy, we attach the
 * default endpoint policy ... full access": https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html),
 * so the subnets could write to any bucket or table, another account's included. The Principal of a gateway
 * endpoint policy must be "*" (narrowed with conditions): an account or role ARN there grants only that account's
 * root user or that role id ("Principals for gateway endpoints", same page). Replication between the receipts buckets
 * is done by S3 itself, outside the VPC, and never passes an endpoint.
 */
export function gatewayEndpointPolicy(
  sid: string,
  actions: readonly string[],
  resources: string[],
  accountId: string,
): string {
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: '*',
    Action: [...actions],
    Resource: resources,
    Condition: { StringEquals: { 'aws:ResourceAccount': accountId, 'aws:PrincipalAccount': accountId } },
  };
  return policy(statement);
}

export interface NetworkProps {
  provider: AwsProvider;
  names: ResourceNames;
  region: Region;
  cidr: string;
  /** CIDR of the other region's VPC, reachable through peering. */
  peerCidr: string;
  /** Availability Zone ids, one private subnet each. */
  azIds: string[];
  logsKeyArn: string;
  accountId: string;
  logRetentionDays: number;
}

/**
 * One region's private network: a VPC with private subnets in `azCount` AZs, one private route table, no
 * internet or NAT gateway; gateway endpoints for S3 and DynamoDB, limited by endpoint policies to this account's
 * receipts buckets and payment tables, and interface endpoints for the other APIs the functions call;
 * flow logs to an encrypted log group; the default security group closed.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly subnets: Subnet[];
  readonly routeTable: RouteTable;
  /**
   * Security group of the interface endpoints. Its only ingress (443 from the Lambda security group) is a
   * separate rule resource, created by AppSecurityGroups, which owns the Lambda group.
   */
  readonly endpointSecurityGroup: SecurityGroup;
  readonly s3Endpoint: VpcEndpoint;
  readonly dynamodbEndpoint: VpcEndpoint;
  readonly flowLogGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { provider, region } = props;
    const n = props.names.network(region);

    this.vpc = new Vpc(this, 'vpc', {
      provider,
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.names.vpcName(region) },
    });

    new DefaultSecurityGroup(this, 'default-sg', {
      provider,
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: n.defaultSecurityGroup },
    });

    this.routeTable = new RouteTable(this, 'private-rt', {
      provider,
      vpcId: this.vpc.id,
      tags: { Name: props.names.routeTableName(region) },
    });

    this.subnets = props.azIds.map((azId, i) => {
      const subnet = new Subnet(this, `private-${i}`, {
        provider,
        vpcId: this.vpc.id,
        // /20 blocks at the start of the /16 leave room for more tiers later.
        cidrBlock: Fn.cidrsubnet(props.cidr, 4, i),
        availabilityZoneId: azId,
        mapPublicIpOnLaunch: false,
        tags: { Name: n.subnet(i), Tier: 'private' },
      });
      new RouteTableAssociation(this, `private-${i}-rta`, {
        provider,
        subnetId: subnet.id,
        routeTableId: this.routeTable.id,
      });
      return subnet;
    });

    const names = props.names;
    const buckets = [names.primaryRegion, names.secondaryRegion].map((r) =>
      arn.s3Bucket(names.receiptsBucket(r, props.accountId)),
    );
    this.s3Endpoint = new VpcEndpoint(this, 's3-endpoint', {
      provider,
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [this.routeTable.id],
      policy: gatewayEndpointPolicy(
        'ReceiptsBucketsOfThisAccount',
        GATEWAY_ENDPOINT_ACTIONS.s3,
        buckets.flatMap((b) => [b, arn.s3Objects(b)]),
        props.accountId,
      ),
      tags: { Name: n.endpoint('s3') },
    });
    this.dynamodbEndpoint = new VpcEndpoint(this, 'dynamodb-endpoint', {
      provider,
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${region}.dynamodb`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [this.routeTable.id],
      // Gateway endpoints serve their own region only: this region's copies of the two global tables.
      policy: gatewayEndpointPolicy(
        'PaymentTablesOfThisAccount',
        GATEWAY_ENDPOINT_ACTIONS.dynamodb,
        [names.paymentControlTable, names.sessionsTable].map((t) =>
          arn.dynamodbTable(region, props.accountId, t),
        ),
        props.accountId,
      ),
      tags: { Name: n.endpoint('dynamodb') },
    });

    this.endpointSecurityGroup = new SecurityGroup(this, 'endpoint-sg', {
      provider,
      name: n.endpointSecurityGroup,
      description: 'HTTPS from the payment Lambdas to the interface endpoints of AWS APIs',
      vpcId: this.vpc.id,
      // No inline ingress: inline rules and separate rule resources on one group overwrite each other. Egress
      // stays inline and empty (the endpoints answer on the connections they accept; security groups are
      // stateful).
      egress: [],
      tags: { Name: n.endpointSecurityGroup },
    });
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `${service}-endpoint`, {
        provider,
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.subnets.map((s) => s.id),
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: { Name: n.endpoint(service) },
      });
    }

    this.flowLogGroup = new EncryptedLogGroup(this, 'flow-logs', {
      provider,
      name: `/aws/vpc/${n.flowLogs}`,
      kmsKeyArn: props.logsKeyArn,
      retentionInDays: props.logRetentionDays,
    });
    const flowRole = new IamRole(this, 'flow-logs-role', {
      provider,
      name: n.flowLogs,
      assumeRolePolicy: assumeRolePolicy('vpc-flow-logs.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': props.accountId },
      }),
    });
    new IamRolePolicy(this, 'flow-logs-policy', {
      provider,
      role: flowRole.id,
      name: 'write-flow-logs',
      policy: policy({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [this.flowLogGroup.arn, `${this.flowLogGroup.arn}:log-stream:*`],
      }),
    });
    new FlowLog(this, 'flow-log', {
      provider,
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: flowRole.arn,
      maxAggregationInterval: 60,
    });
  }

  get subnetIds(): string[] {
    return this.subnets.map((s) => s.id);
  }
}
