/**
 * Cycle memory in the alert table against a real DynamoDB-compatible engine (dynalite on
 * 127.0.0.1): one item per key beside the alerts, and what happens when a part outgrows an item.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAlertStore } from '../../../shared/state/alerts/dynamodb';
import { DynamoDbMemoryStore } from '../../../shared/state/memory/dynamodb';
import { type CyclePart, MemoryStoreError } from '../../../shared/state/memory/store';
import { freshAlertTablePerTest } from '../../helpers/dynalite';
import { PROBE_PART, SSH_PART } from '../../unit/state/memory/parts';

const tables = freshAlertTablePerTest();
let doc: DynamoDBDocumentClient;
let table: string;
let store: DynamoDbMemoryStore;

beforeEach(() => {
  ({ doc, table } = tables.current());
  store = new DynamoDbMemoryStore(doc, table);
});

/** An SSH part whose queue samples cover `appliances` appliances (about 2 KB each). */
function fleetPart(appliances: number): CyclePart {
  const samples = Array.from({ length: 24 }, (_, i) => ({
    at: `2026-01-01T${String(i).padStart(2, '0')}:00:00.000Z`,
    active: i,
  }));
  const queues = Object.fromEntries(
    Array.from({ length: appliances }, (_, i) => [`esa-${i}.mail.example.com/the.cpq.host`, samples]),
  );
  return { ...SSH_PART, findings: { ...SSH_PART.findings, queues: queues as never } };
}

describe('DynamoDbMemoryStore against dynalite', () => {
  it('keeps each key in its own item and gives back what was saved; a later save replaces it', async () => {
    await store.save('probe/shard-0-of-2', PROBE_PART);
    await store.save('ssh/shard-0-of-2', SSH_PART);
    await expect(store.load('probe/shard-0-of-2')).resolves.toEqual(PROBE_PART);
    await expect(store.load('ssh/shard-0-of-2')).resolves.toEqual(SSH_PART);
    await expect(store.load('ssh/shard-1-of-2')).resolves.toBeUndefined();
    const later = { ...PROBE_PART, savedAt: '2026-01-01T00:05:00.000Z' };
    await store.save('probe/shard-0-of-2', later);
    await expect(store.load('probe/shard-0-of-2')).resolves.toEqual(later);
    // Beside the alerts, never taken for one.
    const alerts = new DynamoDbAlertStore(doc, { tableName: table });
    await expect(alerts.listOpen()).resolves.toEqual([]);
  });

  it('stores the memory of a 150-appliance shard in one item', async () => {
    const part = fleetPart(150);
    await store.save('ssh/shard-0-of-1', part);
    await expect(store.load('ssh/shard-0-of-1')).resolves.toEqual(part);
  });

  it('refuses a part over 400 KB with a MemoryStoreError naming the key, its size and the limit, and keeps the last one', async () => {
    await store.save('ssh/all', SSH_PART);
    const err = await store.save('ssh/all', fleetPart(400)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryStoreError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^cannot write cycle memory ssh/all to ${table}: Item size has exceeded the maximum allowed size \\(the item is about \\d+ KB; DynamoDB stores at most 400 KB per item\\)$`,
      ),
    );
    await expect(store.load('ssh/all')).resolves.toEqual(SSH_PART);
  });
});
