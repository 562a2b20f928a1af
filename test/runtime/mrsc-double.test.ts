import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { MrscDouble } from '../support/mrsc-double';

/** The MRSC test double is held to the documented semantics, so the guarantees tested with it are AWS's. */
const T = 'control';
const put = (pk: string, extra: Record<string, unknown> = {}, condition?: string) =>
  new PutCommand({
    TableName: T,
    Item: { pk, ...extra },
    ...(condition ? { ConditionExpression: condition } : {}),
  });
const get = (pk: string, strong = true) =>
  new GetCommand({ TableName: T, Key: { pk }, ConsistentRead: strong });

describe('the MRSC double', () => {
  it('fails concurrent writes of one item from two regions with ReplicatedWriteConflictException', async () => {
    const w = new MrscDouble([T]);
    const results = await Promise.allSettled([
      w.client('us-east-1').send(put('k', { v: 1 })),
      w.client('us-east-2').send(put('k', { v: 2 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.name).toBe('ReplicatedWriteConflictException');
    expect(w.latest(T, 'k')).toEqual({ pk: 'k', v: 1 });
  });

  it('evaluates conditions against the latest committed version, in any region', async () => {
    const w = new MrscDouble([T]);
    await w.client('us-east-1').send(put('k', { v: 1 }, 'attribute_not_exists(pk)'));
    await expect(
      w.client('us-east-2').send(put('k', { v: 2 }, 'attribute_not_exists(pk)')),
    ).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    const out = await w.client('us-east-2').send(get('k'));
    expect(out.Item).toEqual({ pk: 'k', v: 1 });
  });

  it('serves writes and strong reads only with a quorum; eventual reads of an isolated replica go stale', async () => {
    const w = new MrscDouble([T]);
    await w.client('us-east-1').send(put('k', { v: 1 }));
    w.isolate('us-east-2');
    await expect(w.client('us-east-2').send(get('k'))).rejects.toMatchObject({ name: 'InternalServerError' });
    await expect(w.client('us-east-2').send(put('k', { v: 9 }))).rejects.toMatchObject({
      name: 'InternalServerError',
    });
    // us-east-1 still has the witness: it writes; the isolated replica does not see it.
    await w.client('us-east-1').send(put('k', { v: 2 }));
    expect((await w.client('us-east-2').send(get('k', false))).Item).toEqual({ pk: 'k', v: 1 });
    // Back online it refuses strong calls until it has caught up.
    w.heal();
    await expect(w.client('us-east-2').send(get('k'))).rejects.toThrow(/catching up/);
    w.catchUp('us-east-2');
    expect((await w.client('us-east-2').send(get('k'))).Item).toEqual({ pk: 'k', v: 2 });
  });

  it('refuses transactions, the witness and unmodelled expressions', async () => {
    const w = new MrscDouble([T]);
    await expect(
      w
        .client('us-east-1')
        .send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: T, Item: { pk: 'a' } } }] })),
    ).rejects.toThrow(/transaction/);
    await expect(w.client('us-west-2').send(get('k'))).rejects.toThrow(/witness/);
    await expect(
      w.client('us-east-1').send(
        new UpdateCommand({
          TableName: T,
          Key: { pk: 'k' },
          UpdateExpression: 'SET n = n + :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
