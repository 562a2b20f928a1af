import { describe, expect, it } from 'vitest';
import { FENCE_KEY } from '../../runtime/shared/fence';
import { resourceNames } from '../../src/resource-names';
import { parsePolicy, resources, synthAll, testConfig } from '../support/synth';

/**
 * Only the Region switch plan's fence step moves the write fence. The payment role, which writes reservations
 * into the same table, is denied every write of the fence item whatever its code does.
 */
const config = testConfig();
const s = synthAll(config);
const names = resourceNames(config);

describe('the payment role cannot write the fence item', () => {
  it.each(['primary', 'secondary'] as const)('%s', (stack) => {
    const [, policy] =
      resources(s[stack], 'aws_iam_role_policy').find(([, p]) =>
        String(p.role).includes('payment-service_payment_role'),
      ) ?? [];
    const deny = parsePolicy(policy?.policy).Statement.find((x) => x.Sid === 'NeverTheFence');
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Action: expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']),
      Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [FENCE_KEY] } },
    });
    expect(String(deny?.Resource)).toMatch(new RegExp(`:table/${names.paymentControlTable}$`));
  });
});
