import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { processAlerts } from '../../../shared/alerts/engine';
import type { AlertRecord } from '../../../shared/alerts/record';
import { SnsNotifier } from '../../../shared/alerts/sns-notifier';
import type { Finding } from '../../../shared/findings/types';
import { DynamoDbAlertStore } from '../../../shared/state/alerts/dynamodb';
import { createAlertDocumentClient } from '../../../shared/state/dynamodb';
import { ALERT_TABLE } from '../../../shared/state/table';
import { at, finding, POLICY } from './fixtures';

const TABLE = 'cpq-alerts';
const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const doc = createAlertDocumentClient(new DynamoDBClient({ region: 'eu-west-1' }));
const notifier = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), {
  topicArn: 'arn:aws:sns:eu-west-1:1:t',
});
const REFUSED = finding('sma1', 'cpq_listener_refused');

/** Items DynamoDB would hold; the mocked client answers from it and enforces the put conditions. */
let table: Map<string, AlertRecord>;
/** Resolves a scan only once this many scans have arrived (simulates overlapping cycles). */
/** Runs before each put is applied; throwing from it makes the put fail. */
let beforePut: ((item: AlertRecord) => void) | null;
let scanBarrier: { wanted: number; arrived: number; release: () => void; gate: Promise<void> } | null;

function conditionalFailure(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

beforeEach(() => {
  ddb.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  table = new Map();
  scanBarrier = null;
  beforePut = null;
  ddb.on(ScanCommand).callsFake(async () => {
    if (scanBarrier) {
      scanBarrier.arrived++;
      if (scanBarrier.arrived >= scanBarrier.wanted) scanBarrier.release();
      await scanBarrier.gate;
    }
    const items = [...table.values()].filter((r) => r.state !== 'ok' || r.outbox.length > 0);
    return { Items: structuredClone(items) };
  });
  // The appliance index: DynamoDB applies the key condition, then the filter.
  ddb.on(QueryCommand).callsFake(async (input: QueryCommandInput) => {
    if (input.IndexName !== ALERT_TABLE.applianceIndex) throw new Error(`no index ${input.IndexName}`);
    const appliance = input.ExpressionAttributeValues![':appliance'];
    const items = [...table.values()].filter(
      (r) => r.appliance === appliance && (r.state !== 'ok' || r.outbox.length > 0),
    );
    return { Items: structuredClone(items) };
  });
  ddb.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => {
    const keys = input.RequestItems![TABLE]!.Keys!;
    const found = keys.map((k) => table.get(k.id as string)).filter((r) => r !== undefined);
    return { Responses: { [TABLE]: structuredClone(found) } };
  });
  ddb.on(PutCommand).callsFake(async (input: PutCommandInput) => {
    const item = input.Item as AlertRecord;
    beforePut?.(item);
    const current = table.get(item.id);
    if (input.ConditionExpression === 'attribute_not_exists(#id)') {
      if (current) throw conditionalFailure();
    } else if (input.ConditionExpression === '#version = :expected') {
      if (current?.version !== input.ExpressionAttributeValues![':expected']) throw conditionalFailure();
    } else {
      throw new Error(`unexpected condition ${input.ConditionExpression}`);
    }
    table.set(item.id, structuredClone(item));
    return {};
  });
});

function cycle(minute: number, findings: Finding[], checked: string[], appliances?: string[]) {
  return processAlerts({
    findings,
    checked,
    ...(appliances !== undefined ? { appliances } : {}),
    now: at(minute),
    policy: POLICY,
    muteFor: () => undefined,
    store: new DynamoDbAlertStore(doc, { tableName: TABLE }),
    notifier,
  });
}

describe('processAlerts with the DynamoDB store', () => {
  it('writes each transition conditionally on the version it read', async () => {
    await cycle(0, [REFUSED], [REFUSED.id]);
    await cycle(1, [REFUSED], [REFUSED.id]);

    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(
      puts.map((p) => [
        p.ConditionExpression,
        p.ExpressionAttributeValues?.[':expected'],
        (p.Item as AlertRecord).version,
      ]),
    ).toEqual([
      ['attribute_not_exists(#id)', undefined, 1], // pending, new item
      ['#version = :expected', 1, 2], // alarm with the page unsent
      ['#version = :expected', 2, 3], // page marked sent
    ]);
    expect(puts[0]!.ExpressionAttributeNames).toEqual({ '#id': 'id' });
    expect((puts[1]!.Item as AlertRecord).outbox).toEqual([
      expect.objectContaining({ attempts: 1, leaseUntil: expect.any(String) }),
    ]);
    expect((puts[2]!.Item as AlertRecord).outbox).toEqual([]);
    expect(ddb).toHaveReceivedCommandWith(ScanCommand, { TableName: TABLE, ConsistentRead: true });
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: { [TABLE]: { Keys: [{ id: REFUSED.id }], ConsistentRead: true } },
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('two overlapping cycles page exactly once; the loser skips the transition', async () => {
    await cycle(0, [REFUSED], [REFUSED.id]);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    scanBarrier = { wanted: 2, arrived: 0, release, gate };

    const [a, b] = await Promise.all([cycle(1, [REFUSED], [REFUSED.id]), cycle(1, [REFUSED], [REFUSED.id])]);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const reports = [a, b].sort((x, y) => x.conflicts - y.conflicts);
    expect(reports[0]).toMatchObject({ sent: 1, conflicts: 0 });
    expect(reports[1]).toMatchObject({ sent: 0, conflicts: 1 });
    expect(reports[1]!.alerts[0]).toMatchObject({
      status: 'conflict',
      before: 'pending',
      after: 'pending',
      notifications: [],
    });
    // Both tried to move version 1 → 2; DynamoDB let one through.
    const alarmPuts = ddb
      .commandCalls(PutCommand)
      .filter((c) => c.args[0].input.ExpressionAttributeValues?.[':expected'] === 1);
    expect(alarmPuts).toHaveLength(2);
    expect(table.get(REFUSED.id)).toMatchObject({ state: 'alarm', outbox: [], version: 3 });
  });

  it('a ConditionalCheckFailedException on the transition means no publish at all', async () => {
    await cycle(0, [REFUSED], [REFUSED.id]);
    beforePut = () => {
      beforePut = null;
      throw conditionalFailure();
    };
    const r = await cycle(1, [REFUSED], [REFUSED.id]);
    expect(r).toMatchObject({ conflicts: 1, sent: 0 });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('re-reads and retries the mark-sent write when another cycle bumped the version meanwhile', async () => {
    await cycle(0, [REFUSED], [REFUSED.id]);
    // While this cycle publishes, another one rewrites the record (same outbox, new version).
    sns.on(PublishCommand).callsFake(async () => {
      const rec = table.get(REFUSED.id)!;
      table.set(REFUSED.id, { ...rec, version: rec.version + 1 });
      return { MessageId: 'm' };
    });
    const r = await cycle(1, [REFUSED], [REFUSED.id]);
    expect(r.sent).toBe(1);
    expect(table.get(REFUSED.id)).toMatchObject({ outbox: [], version: 4 });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a failed publish is retried by the next cycle and then marked sent', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Service Unavailable'), { name: 'InternalErrorException' }))
      .resolves({ MessageId: 'm' });
    await cycle(0, [REFUSED], [REFUSED.id]);
    const first = await cycle(1, [REFUSED], [REFUSED.id]);
    expect(first).toMatchObject({ sent: 0, failed: 1 });
    expect(table.get(REFUSED.id)!.outbox).toEqual([
      expect.objectContaining({
        leaseUntil: null,
        attempts: 1,
        lastError: expect.stringContaining('InternalErrorException'),
      }),
    ]);
    const second = await cycle(2, [REFUSED], [REFUSED.id]);
    expect(second).toMatchObject({ sent: 1, failed: 0, retried: 1 });
    expect(table.get(REFUSED.id)!.outbox).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('stores a TTL on resolved records only', async () => {
    const ids = [REFUSED.id];
    for (let m = 0; m < 2; m++) await cycle(m, [REFUSED], ids);
    expect(table.get(REFUSED.id)![ALERT_TABLE.ttlAttribute]).toBeUndefined();
    for (let m = 2; m < 4; m++) await cycle(m, [], ids);
    expect(table.get(REFUSED.id)).toMatchObject({
      state: 'ok',
      expiresAt: Math.floor(at(3).getTime() / 1000) + 14 * 86_400,
    });
  });

  it("a shard steps its own appliances' open alerts from the index and never scans the table", async () => {
    const ESA9 = finding('esa9', 'cpq_listener_refused');
    // Two shards' alerts open (one owns sma1, the other esa9).
    await cycle(0, [REFUSED, ESA9], [REFUSED.id, ESA9.id]);
    await cycle(1, [REFUSED, ESA9], [REFUSED.id, ESA9.id]);
    expect(table.get(REFUSED.id)!.state).toBe('alarm');
    ddb.resetHistory();
    sns.resetHistory();
    // The sma1 shard passes twice: sma1 recovers; esa9's alert is neither read nor written.
    await cycle(2, [], [REFUSED.id], ['sma1']);
    const report = await cycle(3, [], [REFUSED.id], ['sma1']);
    expect(report.alerts.map((a) => [a.id, a.after])).toEqual([[REFUSED.id, 'ok']]);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject)).toEqual([
      expect.stringMatching(/^RECOVERED .*sma1/),
    ]);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
    expect(
      ddb
        .commandCalls(QueryCommand)
        .map((c) => [c.args[0].input.IndexName, c.args[0].input.ExpressionAttributeValues![':appliance']]),
    ).toEqual([
      ['by-appliance', 'sma1'],
      ['by-appliance', 'sma1'],
    ]);
    expect(
      ddb.commandCalls(PutCommand).every((c) => (c.args[0].input.Item as AlertRecord).appliance === 'sma1'),
    ).toBe(true);
    expect(table.get(ESA9.id)!.state).toBe('alarm');
  });

  it('a store failure for one alert is reported and the others proceed', async () => {
    const other = finding('esa2', 'ssh_unreachable', 'warning');
    beforePut = (item) => {
      if (item.id === other.id) throw new Error('ProvisionedThroughputExceeded');
    };
    const r = await cycle(0, [REFUSED, other], [REFUSED.id, other.id]);
    expect(r.errors).toBe(1);
    expect(r.alerts.find((a) => a.id === other.id)).toMatchObject({
      status: 'error',
      error: expect.stringContaining('ProvisionedThroughputExceeded'),
    });
    expect(r.alerts.find((a) => a.id === REFUSED.id)).toMatchObject({ status: 'updated', after: 'pending' });
  });
});
