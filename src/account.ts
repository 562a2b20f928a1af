import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktn';

const identities = new WeakMap<TerraformStack, DataAwsCallerIdentity>();

/**
 * The deploying account's id as a Terraform expression (read at plan time through STS of the stack's default
 * provider), so synthesis needs no credentials and no account id lives in code.
 */
export function accountId(stack: TerraformStack, provider?: AwsProvider): string {
  let id = identities.get(stack);
  if (!id) {
    id = new DataAwsCallerIdentity(stack, 'caller-identity', provider ? { provider } : {});
    identities.set(stack, id);
  }
  return id.accountId;
}
