/**
 * The alert record stays bounded: the outbox coalesces a flapping alert's undelivered incidents
 * and is capped, and the worst case (maximum peer text, SNS down for a day, a check flapping every
 * cycle) is measured as DynamoDB would measure the item the store writes.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { processAlerts } from '../../../shared/alerts/engine';
import type { AlertRecord, OutboxEntry } from '../../../shared/alerts/record';
import { boundOutbox, lastErrorText, OUTBOX_MAX } from '../../../shared/alerts/record-bounds';
import { SnsNotifier } from '../../../shared/alerts/sns-notifier';
import { stepAlert } from '../../../shared/alerts/state-machine';
import type { Finding, Severity } from '../../../shared/findings/types';
import { DynamoDbAlertStore } from '../../../shared/state/alerts/dynamodb';
import { createAlertDocumentClient } from '../../../shared/state/dynamodb';
import { at, finding, POLICY } from './fixtures';

const ID = 'sma1/cpq_listener_refused';
const FAST = { ...POLICY, failuresBeforePage: 1, successesBeforeRecovery: 1 };

/** Steps the alert through `ticks` (F failing, S passing) without ever delivering: every attempt fails. */
function undelivered(ticks: string, startRec?: AlertRecord): AlertRecord | undefined {
  let rec = startRec;
  [...ticks].forEach((t, i) => {
    const input = t === 'F' ? { kind: 'failure' as const, finding: finding() } : { kind: 'success' as const };
    const r = stepAlert(ID, rec, input, { now: at(i), policy: FAST });
    if (r.record === undefined) return;
    // The engine tried to publish every entry and failed: attempts up, error kept, lease released.
    rec = {
      ...r.record,
      outbox: r.record.outbox.map((e) => ({
        ...e,
        attempts: e.attempts + 1,
        lastError: 'KMS.DisabledException: x',
      })),
    };
  });
  return rec;
}

const kinds = (r: AlertRecord | undefined) => r?.outbox.map((e) => e.notification.kind) ?? [];

describe('outbox bounds', () => {
  it('coalesces the older undelivered incidents of a flapping alert into the newest one', () => {
    const rec = undelivered('FSFSFSF');
    expect(kinds(rec)).toEqual(['page']);
    expect(rec!.outbox[0]!.notification.coalesced).toBe(6);
    expect(rec!.dropped).toBe(6);
    const closed = undelivered('FSFSFSFS');
    expect(kinds(closed)).toEqual(['page', 'recovery']);
    expect(closed!.outbox[0]!.notification.coalesced).toBe(6);
  });

  it('keeps an incident whose notification a cycle may be publishing (leased), and a recovery whose page was delivered', () => {
    const leased = undelivered('FS')!;
    const inFlight: AlertRecord = {
      ...leased,
      outbox: leased.outbox.map((e) => ({ ...e, leaseUntil: at(100).toISOString() })),
    };
    const next = stepAlert(
      ID,
      inFlight,
      { kind: 'failure', finding: finding() },
      { now: at(2), policy: FAST },
    );
    expect(kinds(next.record)).toEqual(['page', 'recovery', 'page']);
    expect(next.record!.dropped).toBeUndefined();

    // The page went out (it left the outbox); its recovery is undelivered: never dropped.
    const delivered = undelivered('F')!;
    let rec: AlertRecord | undefined = { ...delivered, outbox: [] };
    rec = undelivered('SFSFSFSFSF', rec);
    expect(kinds(rec)[0]).toBe('recovery');
    expect(rec!.outbox.length).toBeLessThanOrEqual(OUTBOX_MAX);
  });

  it('caps the outbox at OUTBOX_MAX, dropping the oldest undelivered non-recovery entries', () => {
    const entry = (n: number, kind: 'page' | 'escalation' | 'recovery', since: string): OutboxEntry => ({
      notification: {
        ...undelivered('F')!.outbox[0]!.notification,
        notificationId: `${ID}#${n}`,
        kind,
        since,
      },
      attempts: 1,
      lastError: 'x',
      leaseUntil: null,
    });
    const rec = undelivered('F')!;
    rec.outbox = [
      entry(1, 'recovery', 'a'),
      ...Array.from({ length: OUTBOX_MAX + 3 }, (_, i) => entry(i + 2, 'escalation', 'b')),
    ];
    boundOutbox(rec);
    expect(rec.outbox).toHaveLength(OUTBOX_MAX);
    expect(rec.outbox[0]!.notification.kind).toBe('recovery');
    expect(rec.outbox.at(-1)!.notification.notificationId).toBe(`${ID}#${OUTBOX_MAX + 4}`);
    expect(rec.dropped).toBe(4);
  });
});

/** DynamoDB's item size: attribute names and values, UTF-8 (docs/alerts.md#bounded-alert-records). */
function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n: number, e: AttributeValue) => n + 1 + valueBytes(e), 0);
  if (v.M !== undefined) {
    return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueBytes(e), 0);
  }
  throw new Error(`unexpected attribute value ${JSON.stringify(v)}`);
}

/** The item's size as DynamoDB counts it against the 400 KB limit. */
function itemBytes(item: object): number {
  const m = marshall(item, { removeUndefinedValues: true });
  return Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueBytes(v), 0);
}

describe('worst-case alert record', () => {
  const TABLE = 'cpq-alerts';
  const ddb = mockClient(DynamoDBDocumentClient);
  const sns = mockClient(SNSClient);
  const table = new Map<string, AlertRecord>();
  let largestItem = 0;
  let largestWire = 0;

  beforeEach(() => {
    ddb.reset();
    sns.reset();
    table.clear();
    largestItem = 0;
    largestWire = 0;
    // SNS is down all day, with a long error message.
    sns.on(PublishCommand).rejects(
      Object.assign(new Error(`KMS key is disabled: ${'€'.repeat(2000)}`), {
        name: 'KMS.DisabledException',
      }),
    );
    ddb.on(ScanCommand).callsFake(async () => ({
      Items: structuredClone([...table.values()].filter((r) => r.state !== 'ok' || r.outbox.length > 0)),
    }));
    ddb.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => {
      const keys = input.RequestItems![TABLE]!.Keys!;
      return {
        Responses: {
          [TABLE]: structuredClone(keys.map((k) => table.get(k.id as string)).filter((r) => r !== undefined)),
        },
      };
    });
    ddb.on(PutCommand).callsFake(async (input: PutCommandInput) => {
      const item = input.Item as AlertRecord;
      largestItem = Math.max(largestItem, itemBytes(item));
      largestWire = Math.max(largestWire, Buffer.byteLength(JSON.stringify(marshall(item))));
      table.set(item.id, structuredClone(item));
      return {};
    });
  });

  /** The largest finding a peer can produce: every line long, in three-byte characters, with characters JSON escapes. */
  const built = new Map<Severity, Finding>();
  function maxFinding(severity: Severity): Finding {
    const wide = (i: number) => `${i} ${'€"\\'.repeat(1000)}`;
    const seen = built.get(severity);
    if (seen !== undefined) return seen;
    const f: Finding = {
      ...finding('sma1', 'cpq_listener_refused', severity),
      summary: wide(0),
      evidence: Array.from({ length: 500 }, (_, i) => wide(i)),
      remediation: Array.from({ length: 100 }, (_, i) => wide(i)),
    };
    built.set(severity, f);
    return f;
  }

  it('the ceiling: OUTBOX_MAX entries of the largest notification, the largest finding and error', () => {
    const step = stepAlert(
      ID,
      undefined,
      { kind: 'failure', finding: maxFinding('critical') },
      { now: at(0), policy: FAST },
    );
    const rec = step.record!;
    const entry = rec.outbox[0]!;
    rec.outbox = Array.from({ length: OUTBOX_MAX }, (_, i) => ({
      ...entry,
      notification: { ...entry.notification, notificationId: `${ID}#${i + 1}`, coalesced: 1_000_000 },
      attempts: 1_000_000,
      lastError: lastErrorText('€'.repeat(5000)),
      leaseUntil: at(0).toISOString(),
    }));
    rec.dropped = 1_000_000;
    const bytes = itemBytes({ ...rec, version: 1_000_000, expiresAt: 2_000_000_000 });
    process.stdout.write(`alert record ceiling: ${bytes} bytes by DynamoDB's rules\n`);
    expect(bytes).toBeLessThan(100 * 1024);
  });

  // Flapping every cycle with an escalation in each incident: the most notifications per day.
  it.each<[string, (cycle: number) => Finding | null]>([
    [
      'warning, critical (escalation), passing, every three cycles',
      (c) => (c % 3 === 2 ? null : maxFinding(c % 3 === 0 ? 'warning' : 'critical')),
    ],
  ])(
    'stays far below 400 KB after a day of one-minute cycles %s with SNS down',
    async (_name, script) => {
      const store = new DynamoDbAlertStore(
        createAlertDocumentClient(new DynamoDBClient({ region: 'eu-west-1' })),
        {
          tableName: TABLE,
        },
      );
      const notifier = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), {
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
      });
      let failed = 0;
      for (let cycle = 0; cycle < 1440; cycle++) {
        const f = script(cycle);
        const report = await processAlerts({
          findings: f === null ? [] : [f],
          checked: [ID],
          now: at(cycle),
          policy: FAST,
          muteFor: () => undefined,
          store,
          notifier,
        });
        failed += report.failed;
      }
      const rec = table.get(ID)!;
      expect(failed).toBeGreaterThan(1000);
      expect(rec.outbox.length).toBeLessThanOrEqual(OUTBOX_MAX);
      expect(rec.dropped).toBeGreaterThan(1000);
      // Every notification still in the outbox says how many it stands for.
      expect(rec.outbox[0]!.notification.coalesced).toBeGreaterThan(1000);
      // Far below DynamoDB's 400 KB: under a quarter of it, by DynamoDB's rules and on the wire.
      expect(largestItem).toBeLessThan(100 * 1024);
      expect(largestWire).toBeLessThan(100 * 1024);
      process.stdout.write(
        `worst-case alert record (${_name}): ${largestItem} bytes by DynamoDB's rules, ${largestWire} bytes as PutItem JSON; outbox ${rec.outbox.length}, dropped ${rec.dropped}\n`,
      );
    },
    120_000,
  );
});
