import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { FENCE_ACTION_TIMEOUT_SECONDS, renderFenceActionEnv } from '../../runtime/fence-action/env';
import type { LambdaBundle } from '../bundling/functions';
import { arn, tableAccess } from '../grants';
import { DrFunction } from './lambda-function';

export interface FenceActionProps {
  provider: AwsProvider;
  /** Deterministic name: the Region switch plan (failover stack) names the function by its ARN. */
  functionName: string;
  region: string;
  accountId: string;
  bundle: LambdaBundle;
  /** The payment control table (global stack), which holds the fence item. */
  controlTable: string;
  dataKeyArn: string;
  opsKeyArn: string;
  logRetentionDays: number;
}

/**
 * The Region switch plan's write-fence step in one region (runtime/fence-action): makes this region the fence's
 * active region, with exactly the two calls activateRegion makes (a strongly consistent GetItem and a
 * conditional PutItem on the control table). Each regional stack has one, so the plan can run the step in
 * whichever region it activates. No VPC: it calls DynamoDB only, and it must work when the region's VPC
 * endpoints are what broke. Invoked only by the plan's execution role (synchronously; no event source).
 */
export class FenceAction extends Construct {
  readonly fn: DrFunction;

  constructor(scope: Construct, id: string, p: FenceActionProps) {
    super(scope, id);
    const [fenceGrant, keyGrant] = tableAccess(arn.dynamodbTable(p.region, p.accountId, p.controlTable), {
      sid: 'FenceItem',
      keySid: 'ControlTableKey',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      keyArn: p.dataKeyArn,
      region: p.region,
    });
    this.fn = new DrFunction(this, 'fence', {
      provider: p.provider,
      functionName: p.functionName,
      description: 'Region switch plan step: makes this region the active region of the write fence',
      bundle: p.bundle,
      dataKeyArn: p.dataKeyArn,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      accountId: p.accountId,
      region: p.region,
      memoryMb: 256,
      // The run is bounded by FENCE_ACTION_DEADLINE_MS (20 s), below this timeout (30 s).
      timeoutSeconds: FENCE_ACTION_TIMEOUT_SECONDS,
      environment: renderFenceActionEnv({ controlTable: p.controlTable }),
      statements: [fenceGrant, keyGrant],
    });
  }
}
