/**
 * Silence and ack commands against the local state file and against a mocked DynamoDB alert
 * table (the SDK boundary), as `cpq-monitor silence|ack` run them: who, when and why recorded,
 * writes conditional on the document's version, alert records left alone.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ackAlert } from '../../../cli/ack';
import { silenceAdd, silenceList, silenceRemove } from '../../../cli/silence';
import type { AlertRecord } from '../../../shared/alerts/record';
import { FileAlertStore } from '../../../shared/state/alerts/file';
import { FileOperatorStore } from '../../../shared/state/operators/file';
import { OPERATOR_ITEMS } from '../../../shared/state/table';
import { at } from '../alerts/fixtures';

const OPEN: AlertRecord = {
  id: 'esa3/cpq_queue_backlog',
  appliance: 'esa3',
  check: 'cpq_queue_backlog',
  state: 'alarm',
  severity: 'critical',
  pagedSeverity: 'critical',
  failures: 2,
  successes: 0,
  since: at(0).toISOString(),
  changedAt: at(1).toISOString(),
  lastNotifiedAt: at(1).toISOString(),
  finding: null,
  muted: null,
  sequence: 1,
  outbox: [],
  version: 4,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-operators-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('against the local state file', () => {
  function stateFile(): string {
    const path = join(dir, 'state.json');
    writeFileSync(
      path,
      JSON.stringify({ format: 'cpq-monitor-alerts', formatVersion: 1, alerts: { [OPEN.id]: OPEN } }),
    );
    return path;
  }

  it('adds, lists (with what it mutes) and removes a silence, keeping the alert records', async () => {
    const state = stateFile();
    const { silence } = await silenceAdd(
      { state, appliance: 'esa3', for: '2h', reason: 'disk swap CHG-7', author: 'alice' },
      at(5),
    );
    expect(silence).toMatchObject({ appliance: 'esa3', author: 'alice', createdAt: at(5).toISOString() });
    expect(silence.id).toMatch(/^sil-[0-9a-f]{8}$/);

    const { mutes: rows } = await silenceList({ state }, at(6));
    expect(rows).toEqual([expect.objectContaining({ id: silence.id, muting: [OPEN.id] })]);
    // Expired: no longer listed.
    expect((await silenceList({ state }, at(125))).mutes).toEqual([]);

    await silenceRemove(silence.id, { state }, at(7));
    expect((await silenceList({ state }, at(8))).mutes).toEqual([]);
    await expect(silenceRemove(silence.id, { state }, at(8))).rejects.toThrow(/no silence sil-/);
    // The refusal names the file it read, so a wrong state file cannot pass for "no such silence".
    await expect(silenceRemove(silence.id, { state }, at(8))).rejects.toThrow(`(read state file ${state})`);
    expect((await new FileAlertStore(state).get([OPEN.id])).get(OPEN.id)).toEqual(OPEN);
  });

  it('defaults the author to the OS user', async () => {
    const { silence } = await silenceAdd(
      { state: stateFile(), appliance: '*', for: '1h', reason: 'r' },
      at(0),
    );
    expect(silence.author).toBe(require('node:os').userInfo().username);
  });

  it('acknowledges an open incident once, and refuses an alert with none', async () => {
    const state = stateFile();
    const first = await ackAlert(OPEN.id, { state, reason: 'on it', author: 'bob' }, at(9));
    expect(first).toMatchObject({
      status: 'acknowledged',
      ack: {
        alertId: OPEN.id,
        since: OPEN.since,
        severity: 'critical',
        author: 'bob',
        at: at(9).toISOString(),
      },
    });
    const again = await ackAlert(OPEN.id, { state, reason: 'me too', author: 'carol' }, at(10));
    expect(again).toMatchObject({ status: 'already', ack: { author: 'bob' } });
    await expect(ackAlert('esa1/cpq_cert_expired', { state, reason: 'x' }, at(10))).rejects.toThrow(
      /no open incident \(no such alert in the state\)/,
    );
    const file = JSON.parse(readFileSync(state, 'utf8'));
    expect(file.operator.acks.version).toBe(1);
    expect(file.alerts[OPEN.id]).toEqual(OPEN);
  });

  it('does not overwrite a document another operator wrote first', async () => {
    const store = new FileOperatorStore(stateFile());
    expect(await store.write('silences', [], 0)).toBe('written');
    expect(await store.write('silences', [], 0)).toBe('conflict');
    expect((await store.read('silences')).version).toBe(1);
  });
});

describe('against the DynamoDB alert table (mocked)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sts = mockClient(STSClient);
  const cfn = mockClient(CloudFormationClient);
  const ARN = 'arn:aws:sts::111122223333:assumed-role/OnCall/alice';
  /** The table: operator documents and alert records, puts enforcing their conditions. */
  let items: Map<string, Record<string, unknown>>;
  let conflictsLeft: number;

  beforeEach(() => {
    ddb.reset();
    sts.reset();
    cfn.reset();
    items = new Map([[OPEN.id, { ...OPEN }]]);
    conflictsLeft = 0;
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ARN, Account: '111122223333' });
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'CpqMonitor',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'AlertTableName', OutputValue: 'cpq-alerts' }],
        },
      ],
    });
    ddb.on(GetCommand).callsFake((input: GetCommandInput) => ({ Item: items.get(input.Key!.id as string) }));
    ddb.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => {
      const [table, req] = Object.entries(input.RequestItems!)[0]!;
      return { Responses: { [table]: req.Keys!.map((k) => items.get(k.id as string)).filter(Boolean) } };
    });
    ddb.on(ScanCommand).callsFake(() => ({ Items: [...items.values()].filter((i) => 'state' in i) }));
    ddb.on(PutCommand).callsFake((input: PutCommandInput) => {
      const id = input.Item!.id as string;
      const current = items.get(id);
      const expected = input.ExpressionAttributeValues?.[':expected'];
      const ok = expected === undefined ? current === undefined : current?.version === expected;
      if (!ok || conflictsLeft-- > 0) {
        // Someone else wrote meanwhile: bump the stored version as their write would.
        if (ok)
          items.set(id, {
            ...(current ?? { id, items: [] }),
            version: ((current?.version as number) ?? 0) + 1,
          });
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      items.set(id, input.Item!);
      return {};
    });
  });

  afterAll(() => {
    ddb.restore();
    sts.restore();
    cfn.restore();
  });

  it('adds a silence in the table named by the stack output, authored by the STS identity', async () => {
    const { silence, where } = await silenceAdd(
      {
        state: 'unused',
        region: 'eu-west-1',
        stack: 'CpqMonitor',
        appliance: 'esa3',
        check: 'cpq_queue_backlog',
        for: '2h',
        reason: 'disk swap',
      },
      at(0),
    );
    expect(where).toBe('table cpq-alerts');
    expect(silence.author).toBe(ARN);
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      TableName: 'cpq-alerts',
      Item: { id: OPERATOR_ITEMS.silences, version: 1, items: [silence] },
      ConditionExpression: 'attribute_not_exists(#id)',
    });
    const { mutes: rows, where: listedIn } = await silenceList(
      { state: 'unused', region: 'eu-west-1', table: 'cpq-alerts' },
      at(1),
    );
    expect(listedIn).toBe('table cpq-alerts');
    expect(rows.map((r) => [r.id, r.author, r.muting])).toEqual([[silence.id, ARN, [OPEN.id]]]);
  });

  it('refuses --author in AWS: the author is who STS says you are', async () => {
    await expect(
      silenceAdd(
        {
          state: 'x',
          region: 'eu-west-1',
          table: 't',
          author: 'someone-else',
          appliance: '*',
          for: '1h',
          reason: 'r',
        },
        at(0),
      ),
    ).rejects.toThrow(/--author is for the local state file/);
  });

  it('retries on a version conflict instead of overwriting the other operator', async () => {
    await silenceAdd(
      { state: 'x', region: 'eu-west-1', table: 'cpq-alerts', appliance: 'esa1', for: '1h', reason: 'first' },
      at(0),
    );
    conflictsLeft = 1;
    await silenceAdd(
      {
        state: 'x',
        region: 'eu-west-1',
        table: 'cpq-alerts',
        appliance: 'esa3',
        for: '1h',
        reason: 'second',
      },
      at(0),
    );
    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.ConditionExpression)).toEqual([
      'attribute_not_exists(#id)',
      '#version = :expected',
      '#version = :expected',
    ]);
    const stored = items.get(OPERATOR_ITEMS.silences) as { items: Array<{ reason: string }> };
    expect(stored.items.map((s) => s.reason)).toEqual(['first', 'second']);
  });

  it('acknowledges with a conditional put of the acks item only, never the alert record', async () => {
    const out = await ackAlert(
      OPEN.id,
      { state: 'x', region: 'eu-west-1', table: 'cpq-alerts', reason: 'on it' },
      at(3),
    );
    expect(out).toMatchObject({ status: 'acknowledged', ack: { author: ARN, since: OPEN.since } });
    const puts = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item!.id);
    expect(puts).toEqual([OPERATOR_ITEMS.acks]);
    expect(items.get(OPEN.id)).toEqual(OPEN);
  });

  it('names the stack when it has no table output', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Old', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    await expect(silenceList({ state: 'x', region: 'eu-west-1', stack: 'Old' })).rejects.toThrow(
      /stack Old has no AlertTableName output/,
    );
  });
});
