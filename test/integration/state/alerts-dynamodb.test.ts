/**
 * The DynamoDB alert store against a real DynamoDB-compatible engine (dynalite on 127.0.0.1) with
 * the stack's table layout: the engine, not a mock, decides conditions, index reads, page breaks
 * and item sizes.
 */

import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { processAlerts } from '../../../shared/alerts/engine';
import type { AlertNotification, Notifier } from '../../../shared/alerts/notifier';
import type { AlertRecord } from '../../../shared/alerts/record';
import { RECORD_MAX_BYTES } from '../../../shared/alerts/record-bounds';
import { DynamoDbAlertStore } from '../../../shared/state/alerts/dynamodb';
import { createAlertDocumentClient } from '../../../shared/state/dynamodb';
import { MEMORY_ID_PREFIX, OPERATOR_ITEMS } from '../../../shared/state/table';
import { createAlertTable, type Dynalite, startDynalite } from '../../helpers/dynalite';
import { at, finding, POLICY } from '../../unit/alerts/fixtures';

let engine: Dynalite;
let doc: DynamoDBDocumentClient;
let table: string;
let tables = 0;
let store: DynamoDbAlertStore;
/** Requests the store sent, by command name (counted at the client's first step). */
let sent = new Map<string, number>();

beforeAll(async () => {
  engine = await startDynalite();
  doc = createAlertDocumentClient(engine.client);
  doc.middlewareStack.add(
    (next, context) => (args) => {
      const name = (context as { commandName?: string }).commandName ?? '?';
      sent.set(name, (sent.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
});
afterAll(() => engine.close());
beforeEach(async () => {
  table = `cpq-alerts-${++tables}`;
  await createAlertTable(engine.client, table);
  store = new DynamoDbAlertStore(doc, { tableName: table });
  sent = new Map();
});

/** A record of `check` on `appliance`; `pad` characters of evidence make it as big as wanted. */
function rec(appliance: string, check: string, state: AlertRecord['state'], pad = 0): AlertRecord {
  const f = finding(appliance, check);
  return {
    id: f.id,
    appliance,
    check,
    state,
    severity: 'critical',
    pagedSeverity: state === 'alarm' ? 'critical' : null,
    failures: state === 'ok' ? 0 : 2,
    successes: 0,
    since: state === 'ok' ? null : at(0).toISOString(),
    changedAt: at(1).toISOString(),
    lastNotifiedAt: null,
    finding: pad > 0 ? { ...f, evidence: ['x'.repeat(pad)] } : f,
    muted: null,
    sequence: 0,
    outbox: [],
    version: 0,
  };
}

/** The `sequence`-th notification of the record's alert. */
function notificationOf(
  r: AlertRecord,
  sequence: number,
  kind: 'page' | 'escalation' | 'reminder' | 'recovery',
): AlertNotification {
  return {
    notificationId: `${r.id}#${sequence}`,
    alertId: r.id,
    appliance: r.appliance,
    check: r.check,
    kind,
    severity: 'critical',
    state: kind === 'recovery' ? 'ok' : 'alarm',
    summary: r.finding!.summary,
    evidence: [],
    remediation: [],
    runbookUrl: 'https://wiki.example.com/cpq/runbook',
    since: r.since!,
    at: at(sequence).toISOString(),
  } as AlertNotification;
}

describe('DynamoDbAlertStore against dynalite', () => {
  it('takes each version once: a write naming a stale version is refused as a conflict', async () => {
    const first = rec('sma1', 'cpq_listener_refused', 'pending');
    await expect(store.put(first, 0)).resolves.toEqual({
      status: 'written',
      record: { ...first, version: 1 },
    });
    // A second writer that also read "no record" loses.
    await expect(store.put({ ...first, state: 'alarm' }, 0)).resolves.toEqual({ status: 'conflict' });
    await expect(store.put({ ...first, state: 'alarm' }, 1)).resolves.toMatchObject({
      status: 'written',
      record: { state: 'alarm', version: 2 },
    });
    // A writer still holding version 1 is refused, and the stored record is the winner's.
    await expect(store.put({ ...first, state: 'ok' }, 1)).resolves.toEqual({ status: 'conflict' });
    const stored = await store.get([first.id]);
    expect(stored.get(first.id)).toMatchObject({ state: 'alarm', version: 2 });
  });

  it('of writers racing for the same version, exactly one is written', async () => {
    const r = rec('esa1', 'cpq_tls_failed', 'pending');
    await store.put(r, 0);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.put({ ...r, failures: i + 10 }, 1)),
    );
    const written = outcomes.filter((o) => o.status === 'written');
    expect(written).toHaveLength(1);
    expect((await store.get([r.id])).get(r.id)).toEqual((written[0] as { record: AlertRecord }).record);
  });

  it("lists a shard's open alerts with one Query of the by-appliance index each, never a Scan", async () => {
    const records = [
      rec('esa1', 'cpq_tls_failed', 'alarm'),
      rec('esa1', 'ssh_unreachable', 'ok'), // closed, nothing to deliver: not open
      {
        ...rec('esa1', 'cpq_queue_backlog', 'ok'),
        outbox: [{ notification: {} as AlertNotification, attempts: 1, lastError: 'x', leaseUntil: null }],
      },
      rec('sma1', 'cpq_listener_refused', 'pending'),
      rec('esa2', 'cpq_tls_failed', 'alarm'), // another shard's
    ];
    for (const r of records) await store.put(r, 0);
    // The other items of the table: they have no appliance, so the index never holds them.
    await doc.send(
      new PutCommand({ TableName: table, Item: { id: `${MEMORY_ID_PREFIX}probe/all`, memory: '{}' } }),
    );
    await doc.send(
      new PutCommand({ TableName: table, Item: { id: OPERATOR_ITEMS.silences, version: 1, items: [] } }),
    );
    sent.clear();

    const open = await store.listOpen({ appliances: ['esa1', 'sma1', 'esa1'] });
    expect(open.map((r) => r.id).sort()).toEqual([
      'esa1/cpq_queue_backlog',
      'esa1/cpq_tls_failed',
      'sma1/cpq_listener_refused',
    ]);
    expect(Object.fromEntries(sent)).toEqual({ QueryCommand: 2 });

    // The operators' commands scan the table: every open alert, and nothing that is not one.
    const all = await store.listOpen();
    expect(all.map((r) => r.id).sort()).toEqual([
      'esa1/cpq_queue_backlog',
      'esa1/cpq_tls_failed',
      'esa2/cpq_tls_failed',
      'sma1/cpq_listener_refused',
    ]);
  });

  it('reads every page when the engine splits an answer at 1 MB (Query, Scan and BatchGet)', async () => {
    // 60 open records of about 24 KB each: 1.4 MB for one appliance, more than one page.
    const big = Array.from({ length: 60 }, (_, i) => rec('esa1', `check_${i}`, 'alarm', 24_000));
    for (const r of big) await store.put(r, 0);
    // And 150 small ones elsewhere: more ids than one BatchGet takes (100).
    const small = Array.from({ length: 150 }, (_, i) => rec(`esa${i + 100}`, 'cpq_tls_failed', 'pending'));
    for (const r of small) await store.put(r, 0);
    sent.clear();

    const open = await store.listOpen({ appliances: ['esa1'] });
    expect(open).toHaveLength(60);
    expect(new Set(open.map((r) => r.id)).size).toBe(60);
    expect(sent.get('QueryCommand')).toBeGreaterThan(1);

    sent.clear();
    expect(await store.listOpen()).toHaveLength(210);
    expect(sent.get('ScanCommand')).toBeGreaterThan(1);

    sent.clear();
    const got = await store.get([...small, ...big].map((r) => r.id));
    expect(got.size).toBe(210);
    expect(sent.get('BatchGetItemCommand')).toBeGreaterThanOrEqual(3);
  });

  it('writes a smaller record when the engine refuses one over 400 KB, rather than none', async () => {
    const small = rec('sma1', 'cpq_listener_refused', 'pending');
    await store.put(small, 0);
    // Built by hand past every bound: 40 undelivered entries of ~12 KB, and a 410 KB evidence line.
    const huge = rec('sma1', 'cpq_listener_refused', 'alarm', 410 * 1024);
    const text = '\u20ac'.repeat(400);
    const kinds = ['page', 'escalation', 'reminder', 'recovery'] as const;
    huge.outbox = Array.from({ length: 40 }, (_, i) => ({
      notification: {
        ...notificationOf(huge, i + 1, kinds[i % 4]!),
        evidence: Array.from({ length: 10 }, () => text),
      },
      attempts: 1,
      lastError: 'SNS down',
      leaseUntil: null,
    }));
    const out = await store.put(huge, 1);
    expect(out.status).toBe('written');
    const stored = (await store.get([huge.id])).get(huge.id)!;
    expect(stored).toMatchObject({ state: 'alarm', version: 2 });
    // The newest notification of each kind is kept, the rest counted.
    expect(stored.outbox.map((e) => [e.notification.kind, e.notification.notificationId])).toEqual([
      ['page', `${huge.id}#37`],
      ['escalation', `${huge.id}#38`],
      ['reminder', `${huge.id}#39`],
      ['recovery', `${huge.id}#40`],
    ]);
    expect(stored.dropped).toBe(36);
    expect(stored.outbox[0]!.notification.coalesced).toBe(36);
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThan(RECORD_MAX_BYTES);
  });
});

describe('the alert engine against dynalite', () => {
  it('two overlapping cycles page once: a transition taken by one is refused to the other', async () => {
    const pages: AlertNotification[] = [];
    const notifier: Notifier = {
      notify: async (n) => {
        pages.push(n);
        return { ok: true, messageId: n.notificationId };
      },
    };
    const refused = finding('sma1', 'cpq_listener_refused');
    const cycle = (minute: number) =>
      processAlerts({
        findings: [refused],
        checked: [refused.id],
        appliances: ['sma1'],
        now: at(minute),
        policy: POLICY,
        muteFor: () => undefined,
        store,
        notifier,
      });
    await cycle(0);
    const [a, b] = await Promise.all([cycle(1), cycle(1)]);
    expect(pages.map((p) => p.kind)).toEqual(['page']);
    // Whichever way the two interleaved, the alert ends paged once, its page delivered.
    expect([a.sent + b.sent, a.errors + b.errors]).toEqual([1, 0]);
    expect((await store.get([refused.id])).get(refused.id)).toMatchObject({ state: 'alarm', outbox: [] });
  });

  it('1,440 cycles of flapping with SNS down and maximal peer text: the item stays under the cap, and the alert recovers once SNS is back', async () => {
    let snsUp = false;
    const sent: AlertNotification[] = [];
    const notifier: Notifier = {
      notify: async (n) => {
        if (!snsUp) {
          return {
            ok: false,
            code: 'sns_failed',
            message: `SNS unavailable: ${'\u20ac'.repeat(2000)}`,
            retryable: true,
          };
        }
        sent.push(n);
        return { ok: true, messageId: n.notificationId };
      },
    };
    // Every line as long as allowed, of three-byte characters, and more lines than kept.
    const wide = '\u20ac'.repeat(2000);
    const flapping = {
      ...finding('sma1', 'cpq_listener_refused'),
      summary: wide,
      evidence: Array.from({ length: 80 }, () => wide),
      remediation: Array.from({ length: 40 }, () => wide),
    };
    const policy = { ...POLICY, failuresBeforePage: 1, successesBeforeRecovery: 1 };
    const cycle = (minute: number, failing: boolean) =>
      processAlerts({
        findings: failing ? [flapping] : [],
        checked: [flapping.id],
        appliances: ['sma1'],
        now: at(minute),
        policy,
        muteFor: () => undefined,
        store,
        notifier,
      });
    let largest = 0;
    for (let minute = 0; minute < 1440; minute++) {
      const r = await cycle(minute, minute % 2 === 0);
      expect(r.errors).toBe(0);
      if (minute % 60 === 59) {
        const raw = await doc.send(new GetCommand({ TableName: table, Key: { id: flapping.id } }));
        largest = Math.max(largest, Buffer.byteLength(JSON.stringify(raw.Item)));
      }
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(RECORD_MAX_BYTES);
    expect(sent).toEqual([]);
    // SNS is back; the check has passed: the newest incident's page and its recovery go out.
    snsUp = true;
    await cycle(1440, false);
    await cycle(1441, false);
    expect(sent.map((n) => n.kind)).toEqual(['page', 'recovery']);
    expect(sent[0]!.coalesced).toBeGreaterThan(700);
    const after = (await store.get([flapping.id])).get(flapping.id)!;
    expect(after).toMatchObject({ state: 'ok', outbox: [] });
  }, 300_000);
});
