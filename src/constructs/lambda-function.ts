import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { AssetType, type ITerraformDependable, TerraformAsset } from 'cdktn';
import { Construct } from 'constructs';
import { LAMBDA_RUNTIME } from '../bundling/bundle';
import type { LambdaBundle } from '../bundling/functions';
import { assumeRolePolicy, type PolicyStatement, policy } from '../iam';
import { EncryptedLogGroup } from './log-group';

/**
 * The Lambda Node.js runtimes (20 and later) ship the Amazon and RDS CAs in this file (NODE_EXTRA_CA_CERTS of the
 * functions that connect to Aurora; runtime/shared/db-config.ts).
 */
export const LAMBDA_RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export interface DrFunctionProps {
  provider: AwsProvider;
  functionName: string;
  description: string;
  bundle: LambdaBundle;
  /** CMK for the environment variables (data key) and for the log group (ops key). */
  dataKeyArn: string;
  logsKeyArn: string;
  logRetentionDays: number;
  accountId: string;
  region: string;
  /** The variables its environment contract renders (runtime/<function>/env.ts). */
  environment: Record<string, string>;
  /** What the function may do besides writing its own logs and traces. */
  statements: PolicyStatement[];
  /** @default 512 */
  memoryMb?: number;
  /** @default 10 */
  timeoutSeconds?: number;
  /**
   * Subnets and security groups when the function must reach the VPC (the database).
   * @default none: the function runs outside the VPC
   */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /**
   * Concurrency set aside for this function, which is also its ceiling: it can neither starve the others of the
   * account's pool nor be starved by them.
   * @default none: the function scales in the account's unreserved pool
   */
  reservedConcurrency?: number;
}

/**
 * One Lambda function the way every function of the project is built: Node.js 24 on arm64, code from a
 * deterministic zip, environment encrypted with the CMK, X-Ray active tracing, its own CMK-encrypted log group
 * with retention, and its own role limited to that log group plus the given statements. No reserved
 * concurrency (the account pool scales with load) unless `reservedConcurrency` is given.
 */
export class DrFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: EncryptedLogGroup;
  readonly functionName: string;
  readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, p: DrFunctionProps) {
    super(scope, id);
    this.functionName = p.functionName;
    this.timeoutSeconds = p.timeoutSeconds ?? 10;
    const provider = p.provider;
    this.logGroup = new EncryptedLogGroup(this, 'logs', {
      provider,
      name: `/aws/lambda/${p.functionName}`,
      kmsKeyArn: p.logsKeyArn,
      retentionInDays: p.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      provider,
      name: p.functionName,
      description: `Execution role of ${p.functionName}`,
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': p.accountId },
      }),
    });
    const inline = new IamRolePolicy(this, 'policy', {
      provider,
      role: this.role.id,
      name: 'function',
      policy: policy(
        {
          Sid: 'OwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${this.logGroup.arn}:log-stream:*`,
        },
        {
          Sid: 'XRayTraces',
          Effect: 'Allow',
          Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          Resource: '*',
        },
        ...p.statements,
      ),
    });
    const dependsOn: ITerraformDependable[] = [inline, this.logGroup.logGroup];
    if (p.vpc) {
      // Network interfaces in the VPC: the AWS-managed policy holds only the EC2 ENI actions Lambda needs.
      dependsOn.push(
        new IamRolePolicyAttachment(this, 'vpc-access', {
          provider,
          role: this.role.name,
          policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess',
        }),
      );
    }

    const asset = new TerraformAsset(this, 'code', { path: p.bundle.zipPath, type: AssetType.FILE });
    this.fn = new LambdaFunction(this, 'function', {
      provider,
      functionName: p.functionName,
      description: p.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      filename: asset.path,
      sourceCodeHash: p.bundle.sha256,
      memorySize: p.memoryMb ?? 512,
      timeout: this.timeoutSeconds,
      kmsKeyArn: p.dataKeyArn,
      tracingConfig: { mode: 'Active' },
      loggingConfig: {
        logFormat: 'JSON',
        logGroup: this.logGroup.name,
        applicationLogLevel: 'INFO',
        systemLogLevel: 'WARN',
      },
      environment: { variables: p.environment },
      ...(p.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: p.reservedConcurrency } : {}),
      ...(p.vpc
        ? { vpcConfig: { subnetIds: p.vpc.subnetIds, securityGroupIds: p.vpc.securityGroupIds } }
        : {}),
      dependsOn,
    });
  }

  get arn(): string {
    return this.fn.arn;
  }

  get invokeArn(): string {
    return this.fn.invokeArn;
  }

  get name(): string {
    return this.fn.functionName;
  }
}
