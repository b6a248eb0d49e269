/**
 * The DynamoDB alert store at the SDK boundary: what the engine cannot show against a real engine
 * (unprocessed BatchGet keys, AWS errors) and the exact requests it sends.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { AlertRecord } from '../../../../shared/alerts/record';
import { DynamoDbAlertStore } from '../../../../shared/state/alerts/dynamodb';
import { AlertStoreError } from '../../../../shared/state/alerts/store';
import { createAlertDocumentClient } from '../../../../shared/state/dynamodb';

const TABLE = 'cpq-alerts';
const ddb = mockClient(DynamoDBDocumentClient);
const doc = createAlertDocumentClient(new DynamoDBClient({ region: 'eu-west-1' }));
/** Items DynamoDB would hold, for the BatchGet answers. */
let table: Map<string, AlertRecord>;

function conditionalFailure(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

beforeEach(() => {
  ddb.reset();
  ddb.on(PutCommand).resolves({});
  table = new Map();
});

describe('DynamoDbAlertStore', () => {
  const store = () => new DynamoDbAlertStore(doc, { tableName: TABLE, sleep: async () => {} });

  it('reads ids in BatchGet chunks of 100 and asks again for unprocessed keys', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `esa${i}/cpq_tls_failed`);
    for (const id of ids)
      table.set(id, {
        id,
        appliance: 'a',
        check: 'x',
        state: 'alarm',
        outbox: [],
        version: 1,
      } as unknown as AlertRecord);
    let first = true;
    ddb.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => {
      const keys = input.RequestItems![TABLE]!.Keys!;
      const served = first ? keys.slice(0, 40) : keys;
      const rest = first ? keys.slice(40) : [];
      first = false;
      return {
        Responses: { [TABLE]: served.map((k) => table.get(k.id as string)) },
        UnprocessedKeys: rest.length ? { [TABLE]: { Keys: rest } } : {},
      };
    });
    const got = await store().get(ids);
    expect(got.size).toBe(250);
    const sizes = ddb
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems![TABLE]!.Keys!.length);
    expect(sizes).toEqual([100, 60, 100, 50]);
  });

  it('gives up with AlertStoreError when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => ({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems![TABLE]!.Keys } },
    }));
    await expect(store().get(['a/b'])).rejects.toBeInstanceOf(AlertStoreError);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(5);
  });

  it('scans every page of open alerts with a filter on state and outbox', async () => {
    ddb
      .on(ScanCommand)
      .resolvesOnce({
        Items: [{ id: 'a/x', appliance: 'a', check: 'x', state: 'alarm', outbox: [], version: 3 }],
        LastEvaluatedKey: { id: 'a/x' },
      })
      .resolvesOnce({
        Items: [
          { id: 'b/y', appliance: 'b', check: 'y', state: 'ok', outbox: [{}], version: 7 },
          // Not an alert (e.g. the cycle's memory item sharing the table): ignored.
          { id: 'memory#probe/0', parts: {} },
        ],
      });
    const open = await store().listOpen();
    expect(open.map((r) => r.id)).toEqual(['a/x', 'b/y']);
    const calls = ddb.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({
      FilterExpression: 'attribute_exists(#state) AND (#state <> :ok OR size(#outbox) > :zero)',
      ExpressionAttributeValues: { ':ok': 'ok', ':zero': 0 },
      ConsistentRead: true,
    });
    expect(calls[1]!.ExclusiveStartKey).toEqual({ id: 'a/x' });
  });

  it('queries the appliance index once per appliance, every page, with the open filter', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ id: 'a/x', appliance: 'a', check: 'x', state: 'alarm', outbox: [], version: 3 }],
        LastEvaluatedKey: { id: 'a/x', appliance: 'a' },
      })
      .resolvesOnce({
        Items: [{ id: 'a/y', appliance: 'a', check: 'y', state: 'ok', outbox: [{}], version: 1 }],
      })
      .resolvesOnce({ Items: [] });
    const open = await store().listOpen({ appliances: ['a', 'b', 'a'] });
    expect(open.map((r) => r.id).sort()).toEqual(['a/x', 'a/y']);
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      TableName: TABLE,
      IndexName: 'by-appliance',
      KeyConditionExpression: '#appliance = :appliance',
      FilterExpression: 'attribute_exists(#state) AND (#state <> :ok OR size(#outbox) > :zero)',
      ExpressionAttributeNames: { '#appliance': 'appliance', '#state': 'state', '#outbox': 'outbox' },
    });
    // An index cannot be read consistently: the request must not ask for it.
    expect(calls.every((c) => c.ConsistentRead === undefined)).toBe(true);
    expect(calls.map((c) => c.ExclusiveStartKey)).toContainEqual({ id: 'a/x', appliance: 'a' });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
    ddb.on(QueryCommand).rejects(new Error('ValidationException: index not found'));
    await expect(store().listOpen({ appliances: ['esa1'] })).rejects.toThrow(
      /cannot query open alerts of esa1 in cpq-alerts: ValidationException/,
    );
  });

  it('sends no undefined attribute (any document client can marshal the item)', async () => {
    const rec = {
      id: 'a/b',
      state: 'pending',
      outbox: [],
      version: 0,
      expiresAt: undefined,
      finding: { path: undefined },
    };
    await store().put(rec as unknown as AlertRecord, 0);
    const item = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).toEqual({ id: 'a/b', state: 'pending', outbox: [], version: 1, finding: {} });
    expect('expiresAt' in item).toBe(false);
  });

  it('turns SDK errors into AlertStoreError and conditional failures into conflicts', async () => {
    ddb.on(PutCommand).rejectsOnce(new Error('AccessDeniedException')).rejectsOnce(conditionalFailure());
    const rec = { id: 'a/b', state: 'pending', outbox: [], version: 0 } as unknown as AlertRecord;
    await expect(store().put(rec, 0)).rejects.toThrow(AlertStoreError);
    await expect(store().put(rec, 0)).resolves.toEqual({ status: 'conflict' });
    ddb.on(ScanCommand).rejects(new Error('ResourceNotFoundException'));
    await expect(store().listOpen()).rejects.toMatchObject({ code: 'alert_store_failed' });
  });
});
