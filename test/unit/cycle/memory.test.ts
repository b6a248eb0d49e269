/** Cycle memory stores: a local JSON file and items in the alert table; and who owns a finding id. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createAlertDocumentClient, DynamoDbAlertStore } from '../../../shared/alerts/dynamodb-store';
import {
  type CyclePart,
  DynamoDbMemoryStore,
  FileMemoryStore,
  MEMORY_ID_PREFIX,
  MemoryStoreError,
} from '../../../shared/cycle/memory';
import { ownerOf } from '../../../shared/findings/ids';

const PROBE_PART: CyclePart = {
  findings: {
    listeners: { sma1: { code: 'ok', at: '2026-01-01T00:00:00.000Z' } } as never,
  },
  savedAt: '2026-01-01T00:00:05.000Z',
};
const SSH_PART: CyclePart = {
  findings: {
    queues: { 'esa1/the.cpq.host': [{ at: '2026-01-01T00:00:00.000Z', active: 12 }] } as never,
    logs: {},
  },
  outboundCiphers: { esa1: 'HIGH:MEDIUM:-aNULL', sma1: 'HIGH' },
  savedAt: '2026-01-01T00:00:06.000Z',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-mem-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileMemoryStore', () => {
  it('has nothing for a file that does not exist yet', async () => {
    await expect(new FileMemoryStore(join(dir, 'none.json')).load('probe/all')).resolves.toBeUndefined();
  });

  it('round-trips each key, across instances, creating the directory and leaving no temp file', async () => {
    const path = join(dir, 'nested', 'state.memory.json');
    const writer = new FileMemoryStore(path);
    // Two cycle kinds saving at once: the writes are serialised, neither is lost.
    await Promise.all([writer.save('probe/all', PROBE_PART), writer.save('ssh/all', SSH_PART)]);

    const reader = new FileMemoryStore(path);
    await expect(reader.load('probe/all')).resolves.toEqual(PROBE_PART);
    await expect(reader.load('ssh/all')).resolves.toEqual(SSH_PART);
    await expect(reader.load('ssh/shard-0-of-2')).resolves.toBeUndefined();
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.memory.json']);

    await reader.save('probe/all', { ...PROBE_PART, savedAt: '2026-01-01T00:01:05.000Z' });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')) as object).sort()).toEqual([
      'probe/all',
      'ssh/all',
    ]);
    await expect(writer.load('probe/all')).resolves.toMatchObject({ savedAt: '2026-01-01T00:01:05.000Z' });
  });

  it('reports a file that is not JSON, or not readable, as a MemoryStoreError naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"probe/all": ');
    const err = await new FileMemoryStore(bad).load('probe/all').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryStoreError);
    expect(err).toMatchObject({
      code: 'memory_store_failed',
      message: expect.stringContaining(`${bad} is not valid JSON`),
    });

    const aDirectory = join(dir, 'is-a-dir');
    mkdirSync(aDirectory);
    const unreadable = await new FileMemoryStore(aDirectory).load('probe/all').catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(MemoryStoreError);
    expect((unreadable as Error).message).toContain(`cannot read ${aDirectory}`);
  });

  it('a save replaces a file that is not a JSON object, so later cycles have memory again', async () => {
    for (const broken of ['{"probe/all": ', 'null', '[1, 2]']) {
      const path = join(dir, 'broken.json');
      writeFileSync(path, broken);
      const store = new FileMemoryStore(path);
      await expect(store.load('probe/all')).rejects.toBeInstanceOf(MemoryStoreError);
      await store.save('ssh/all', SSH_PART);
      await expect(store.load('ssh/all')).resolves.toEqual(SSH_PART);
      await expect(store.load('probe/all')).resolves.toBeUndefined();
    }
  });

  it('a failed operation does not block the next one', async () => {
    const path = join(dir, 'm.json');
    writeFileSync(path, 'garbage');
    const store = new FileMemoryStore(path);
    await expect(store.load('probe/all')).rejects.toBeInstanceOf(MemoryStoreError);
    writeFileSync(path, '{}');
    await expect(store.load('probe/all')).resolves.toBeUndefined();
  });
});

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

describe('ownerOf', () => {
  it.each([
    ['sma1/cpq_listener_refused', 'sma1'],
    ['esa1/cpq_queue_backlog', 'esa1'],
    // A per-path probe finding belongs to the listener's appliance (the probe's target).
    ['esa1->sma1/cpq_tls_anonymous', 'sma1'],
    ['sma-1.lab->esa_2.lab/cpq_tls_failed', 'esa_2.lab'],
    ['esa-2/cpq_port_mismatch', 'esa-2'],
  ])('%s belongs to %s', (id, owner) => {
    expect(ownerOf(id)).toBe(owner);
  });
});
