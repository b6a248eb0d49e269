/** Cycle memory in the alert table, at the SDK boundary: the item's shape and the errors of AWS. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbAlertStore } from '../../../../shared/state/alerts/dynamodb';
import { createAlertDocumentClient } from '../../../../shared/state/dynamodb';
import { DynamoDbMemoryStore } from '../../../../shared/state/memory/dynamodb';
import { MemoryStoreError } from '../../../../shared/state/memory/store';
import { MEMORY_ID_PREFIX } from '../../../../shared/state/table';
import { PROBE_PART, SSH_PART } from './parts';

describe('DynamoDbMemoryStore', () => {
  const TABLE = 'cpq-alerts';
  const ddb = mockClient(DynamoDBDocumentClient);
  const doc = createAlertDocumentClient(new DynamoDBClient({ region: 'eu-west-1' }));
  beforeEach(() => ddb.reset());

  it('puts one item per key, the part as one JSON string, and gets it back consistently', async () => {
    const items = new Map<string, Record<string, unknown>>();
    ddb.on(PutCommand).callsFake(async (input) => {
      items.set(input.Item.id, input.Item);
      return {};
    });
    ddb.on(GetCommand).callsFake(async (input) => ({ Item: items.get(input.Key.id) }));
    const store = new DynamoDbMemoryStore(doc, TABLE);

    await store.save('ssh/shard-1-of-3', SSH_PART);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: { id: 'memory#ssh/shard-1-of-3', memory: JSON.stringify(SSH_PART), savedAt: SSH_PART.savedAt },
    });
    // No `state` attribute: the alert store's scan filter (attribute_exists(#state)) skips it.
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(Object.keys(put.Item!).sort()).toEqual(['id', 'memory', 'savedAt']);
    expect(put.ConditionExpression).toBeUndefined();

    await expect(store.load('ssh/shard-1-of-3')).resolves.toEqual(SSH_PART);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE,
      Key: { id: `${MEMORY_ID_PREFIX}ssh/shard-1-of-3` },
      ConsistentRead: true,
    });
    await expect(store.load('probe/shard-1-of-3')).resolves.toBeUndefined();
  });

  it('turns SDK failures into MemoryStoreError naming the key and the table', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(GetCommand).rejects(throttled);
    ddb.on(PutCommand).rejects(throttled);
    const store = new DynamoDbMemoryStore(doc, TABLE);

    const readErr = await store.load('probe/all').catch((e: unknown) => e);
    expect(readErr).toBeInstanceOf(MemoryStoreError);
    expect((readErr as Error).message).toBe(
      'cannot read cycle memory probe/all from cpq-alerts: Rate exceeded',
    );
    const writeErr = await store.save('probe/all', PROBE_PART).catch((e: unknown) => e);
    expect(writeErr).toBeInstanceOf(MemoryStoreError);
    expect((writeErr as Error).message).toBe(
      'cannot write cycle memory probe/all to cpq-alerts: Rate exceeded',
    );
  });

  it('an item that is not valid JSON is a MemoryStoreError, not a crash', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: 'memory#probe/all', memory: '{"findings":' } });
    await expect(new DynamoDbMemoryStore(doc, TABLE).load('probe/all')).rejects.toBeInstanceOf(
      MemoryStoreError,
    );
  });

  it('memory items in the alert table are never taken for alerts', async () => {
    ddb.on(ScanCommand).resolves({
      Items: [{ id: 'memory#probe/all', memory: JSON.stringify(PROBE_PART), savedAt: PROBE_PART.savedAt }],
    });
    await expect(new DynamoDbAlertStore(doc, { tableName: TABLE }).listOpen()).resolves.toEqual([]);
  });
});
