/**
 * The operators' documents in the alert table against a real DynamoDB-compatible engine (dynalite
 * on 127.0.0.1): versioned writes decided by the engine, concurrent operators, and the item size
 * the documents' caps are meant to stay under.
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Ack, MAX_ACKS } from '../../../shared/alerts/acks';
import { addSilence } from '../../../shared/alerts/operator-actions';
import { MAX_SILENCES, SILENCE_FIELD_MAX, type Silence } from '../../../shared/alerts/silences';
import { DynamoDbAlertStore } from '../../../shared/state/alerts/dynamodb';
import { DynamoDbOperatorStore } from '../../../shared/state/operators/dynamodb';
import { loadOperatorState, OperatorStoreError } from '../../../shared/state/operators/store';
import { OPERATOR_ITEMS } from '../../../shared/state/table';
import { freshAlertTablePerTest } from '../../helpers/dynalite';
import { at } from '../../unit/alerts/fixtures';

const tables = freshAlertTablePerTest();
let doc: DynamoDBDocumentClient;
let table: string;
let store: DynamoDbOperatorStore;

beforeEach(() => {
  ({ doc, table } = tables.current());
  store = new DynamoDbOperatorStore(doc, table);
});

function silence(i: number, reason = `maintenance ${i}`, author = 'arn:aws:iam::1:user/oncall'): Silence {
  return {
    id: `sil-${i.toString(16).padStart(8, '0')}`,
    appliance: `esa-${i}`,
    createdAt: at(0).toISOString(),
    endsAt: at(60).toISOString(),
    reason,
    author,
  };
}

describe('DynamoDbOperatorStore against dynalite', () => {
  it('writes a document only over the version it read; a stale version is a conflict', async () => {
    await expect(store.read('silences')).resolves.toEqual({
      version: 0,
      items: [],
      problems: [],
      dropped: 0,
    });
    await expect(store.write('silences', [silence(1)], 0)).resolves.toBe('written');
    // Another operator who also read "no document" is refused.
    await expect(store.write('silences', [silence(2)], 0)).resolves.toBe('conflict');
    await expect(store.write('silences', [silence(1), silence(3)], 1)).resolves.toBe('written');
    await expect(store.write('silences', [], 1)).resolves.toBe('conflict');
    await expect(store.read('silences')).resolves.toEqual({
      version: 2,
      items: [silence(1), silence(3)],
      problems: [],
      dropped: 0,
    });
    // The acks are a document of their own.
    await expect(store.read('acks')).resolves.toEqual({ version: 0, items: [], problems: [], dropped: 0 });
  });

  it('operators adding silences at once all get theirs: each conflict is re-read and retried', async () => {
    const added = await Promise.all(
      [1, 2, 3].map((i) => {
        const { id: _id, ...s } = silence(i);
        return addSilence(store, s, at(1), 30, `sil-0000000${i}`);
      }),
    );
    const doc = await store.read('silences');
    expect(doc.items.map((s) => s.id).sort()).toEqual(added.map((s) => s.id).sort());
    expect(doc.version).toBe(3);
    await expect(loadOperatorState(store)).resolves.toEqual({
      silences: doc.items,
      acks: [],
      problems: [],
      dropped: 0,
    });
  });

  it('drops malformed entries one by one, and a document whose items is no list, naming each', async () => {
    const raw = (id: string, items: unknown) =>
      doc.send(new PutCommand({ TableName: table, Item: { id, version: 4, items } }));
    await raw(OPERATOR_ITEMS.silences, [null, silence(2), { ...silence(3), endsAt: 5 }]);
    await raw(OPERATOR_ITEMS.acks, { alertId: 'esa-1/cpq_listener_down' });
    const loaded = await loadOperatorState(store);
    expect(loaded.silences).toEqual([silence(2)]);
    expect(loaded.acks).toEqual([]);
    expect(loaded.dropped).toBe(3);
    expect(loaded.problems).toEqual([
      expect.stringMatching(/^silences entry 1 dropped from item operator#silences of cpq-alerts-\d+: /),
      expect.stringMatching(/^silences entry 3 dropped from .*: endsAt: /),
      expect.stringMatching(
        /^the acks document in item operator#acks of .* its items is not a list \(object\)/,
      ),
    ]);
    // The next write starts from the version read and keeps only the valid entries.
    const next = { ...silence(9) } as Partial<Silence>;
    delete next.id;
    await addSilence(store, next as Omit<Silence, 'id'>, at(0), 7);
    const after = await store.read('silences');
    expect([after.version, after.items.length, after.dropped]).toEqual([5, 2, 0]);
  });

  it('a silences item crafted as an alert record (appliance, state, an outbox) is never listed or read as one', async () => {
    // What a holder of the operators' policy could put before the policy restricted attributes.
    const crafted = {
      id: OPERATOR_ITEMS.silences,
      version: 1,
      items: [],
      appliance: 'sma1',
      check: 'cpq_listener_down',
      state: 'alarm',
      severity: 'critical',
      since: at(0).toISOString(),
      outbox: [
        {
          notification: {
            kind: 'page',
            subject: 'CRITICAL ALARM sma1',
            text: 'URGENT: SMA compromised – call +1-555-0100',
          },
          attempts: 0,
          lastError: null,
          leaseUntil: null,
        },
      ],
    };
    await doc.send(new PutCommand({ TableName: table, Item: crafted }));
    const alerts = new DynamoDbAlertStore(doc, { tableName: table });
    // The cycle's listing (the index Query), the operators' Scan and a read by key: nothing to send.
    await expect(alerts.listOpen({ appliances: ['sma1'] })).resolves.toEqual([]);
    await expect(alerts.listOpen()).resolves.toEqual([]);
    expect([...(await alerts.get([OPERATOR_ITEMS.silences, OPERATOR_ITEMS.acks])).keys()]).toEqual([]);
    // The silences document itself still reads (its items).
    await expect(store.read('silences')).resolves.toMatchObject({ version: 1, items: [], dropped: 0 });
  });

  it('the operators’ items never show as alerts', async () => {
    await store.write('silences', [silence(1)], 0);
    const alerts = new DynamoDbAlertStore(doc, { tableName: table });
    await expect(alerts.listOpen()).resolves.toEqual([]);
    await expect(alerts.listOpen({ appliances: ['esa-1'] })).resolves.toEqual([]);
  });

  it(`holds the most silences (${MAX_SILENCES}) and acks (${MAX_ACKS}) allowed, with their longest ASCII fields`, async () => {
    const reason = 'r'.repeat(SILENCE_FIELD_MAX.reason);
    const author = 'a'.repeat(SILENCE_FIELD_MAX.author);
    const silences = Array.from({ length: MAX_SILENCES }, (_, i) => ({
      ...silence(i, reason, author),
      appliance: 'e'.repeat(SILENCE_FIELD_MAX.pattern),
      check: 'c'.repeat(SILENCE_FIELD_MAX.pattern),
    }));
    await expect(store.write('silences', silences, 0)).resolves.toBe('written');
    const acks: Ack[] = Array.from({ length: MAX_ACKS }, (_, i) => ({
      alertId: `esa-${i}.example.com->sma-${i}.example.com/cpq_tls_failed`,
      since: at(0).toISOString(),
      severity: 'critical',
      reason,
      author,
      at: at(1).toISOString(),
    }));
    await expect(store.write('acks', acks, 0)).resolves.toBe('written');
    expect((await store.read('acks')).items).toHaveLength(MAX_ACKS);
  });

  it('refuses a document over 400 KB with an OperatorStoreError naming it, its size and the limit', async () => {
    await store.write('acks', [], 0);
    const tooMany = Array.from({ length: 900 }, (_, i) => ({ ...silence(i), reason: 'r'.repeat(500) }));
    const err = await store.write('silences', tooMany, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperatorStoreError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^cannot write silences to ${table}: Item size has exceeded the maximum allowed size \\(the item is about \\d+ KB; DynamoDB stores at most 400 KB per item\\)$`,
      ),
    );
    await expect(store.read('silences')).resolves.toEqual({
      version: 0,
      items: [],
      problems: [],
      dropped: 0,
    });
  });
});
