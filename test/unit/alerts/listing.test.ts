/**
 * `cpq-monitor alerts`: which alerts are open and what keeps each quiet, judged from the
 * operators' documents at the time asked; and the same listing read from the deployed alert table
 * (mocked at the SDK boundary), without asking STS who is reading.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { queryAlerts, renderAlerts } from '../../../cli/alerts';
import { listAlerts, parseStates } from '../../../shared/alerts/listing';
import type { AlertRecord } from '../../../shared/alerts/record';
import { OPERATOR_ITEMS } from '../../../shared/state/table';
import { at, finding } from './fixtures';

function record(id: string, over: Partial<AlertRecord> = {}): AlertRecord {
  const [appliance = '', check = ''] = id.includes('->')
    ? [id.split('->')[1]!.split('/')[0]!, id.split('/')[1]!]
    : id.split('/');
  return {
    id,
    appliance,
    check,
    state: 'alarm',
    severity: 'critical',
    pagedSeverity: 'critical',
    failures: 2,
    successes: 0,
    since: at(0).toISOString(),
    changedAt: at(1).toISOString(),
    lastNotifiedAt: at(1).toISOString(),
    finding: finding(appliance, check),
    muted: null,
    sequence: 1,
    outbox: [],
    version: 3,
    ...over,
  };
}

const SILENCE = {
  id: 'sil-0a1b2c3d',
  appliance: 'esa-fra-*',
  createdAt: at(2).toISOString(),
  endsAt: at(62).toISOString(),
  reason: 'rollout CHG-9',
  author: 'dana',
};

describe('listAlerts', () => {
  const records = [
    record('esa-fra-1/cpq_queue_backlog', { state: 'pending', severity: 'warning', pagedSeverity: null }),
    record('esa2->sma1/cpq_tls_anonymous'),
    record('esa3/cpq_cert_expired', { state: 'recovering' }),
  ];

  it('says which silence mutes an alert now and until when; before it starts or after it ends, none', () => {
    const ops = { silences: [SILENCE], acks: [] };
    const now = listAlerts(records, ops, undefined, at(5), 7);
    expect(now.map((a) => [a.id, a.silenced?.silenceId ?? null])).toEqual([
      ['esa2->sma1/cpq_tls_anonymous', null],
      ['esa3/cpq_cert_expired', null],
      ['esa-fra-1/cpq_queue_backlog', 'sil-0a1b2c3d'],
    ]);
    expect(now[2]!.silenced).toEqual({
      source: 'silence',
      silenceId: 'sil-0a1b2c3d',
      author: 'dana',
      reason: 'rollout CHG-9',
      until: at(62).toISOString(),
    });
    expect(listAlerts(records, ops, undefined, at(1), 7).every((a) => a.silenced === null)).toBe(true);
    expect(listAlerts(records, ops, undefined, at(62), 7).every((a) => a.silenced === null)).toBe(true);
  });

  it('names a maintenance window of the inventory on either end of a path', () => {
    const inv = {
      maintenance: [
        { appliance: 'sma1', start: at(0).toISOString(), end: at(30).toISOString(), reason: 'upgrade' },
      ],
    };
    const out = listAlerts(records, { silences: [], acks: [] }, inv, at(5), 7);
    expect(out.find((a) => a.id === 'esa2->sma1/cpq_tls_anonymous')!.silenced).toEqual({
      source: 'maintenance',
      reason: 'upgrade',
      until: at(30).toISOString(),
    });
  });

  it('shows an ack only while it covers the current incident at its severity', () => {
    const ack = {
      alertId: 'esa3/cpq_cert_expired',
      since: at(0).toISOString(),
      severity: 'critical' as const,
      reason: 'renewal ordered',
      author: 'lee',
      at: at(3).toISOString(),
    };
    const covered = listAlerts(records, { silences: [], acks: [ack] }, undefined, at(5), 7);
    expect(covered.find((a) => a.id === ack.alertId)!.acknowledged).toEqual({
      by: 'lee',
      at: at(3).toISOString(),
      reason: 'renewal ordered',
    });
    // An ack of an earlier incident (another start) covers nothing now.
    const stale = { ...ack, since: at(-100).toISOString() };
    expect(
      listAlerts(records, { silences: [], acks: [stale] }, undefined, at(5), 7).find(
        (a) => a.id === ack.alertId,
      )!.acknowledged,
    ).toBeNull();
  });

  it('filters by appliance (either end of a path), check glob and state', () => {
    const ops = { silences: [], acks: [] };
    const ids = (f: Parameters<typeof listAlerts>[5]) =>
      listAlerts(records, ops, undefined, at(5), 7, f).map((a) => a.id);
    expect(ids({ appliance: 'esa2' })).toEqual(['esa2->sma1/cpq_tls_anonymous']);
    expect(ids({ appliance: 'sma1' })).toEqual(['esa2->sma1/cpq_tls_anonymous']);
    expect(ids({ check: 'cpq_c*' })).toEqual(['esa3/cpq_cert_expired']);
    expect(ids({ states: parseStates('pending,recovering') })).toEqual([
      'esa3/cpq_cert_expired',
      'esa-fra-1/cpq_queue_backlog',
    ]);
    expect(() => parseStates('alarm,firing')).toThrow('--alert-state "firing" is not one of');
  });
});

describe('alerts --table (the deployed alert table)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sts = mockClient(STSClient);
  const cfn = mockClient(CloudFormationClient);
  afterAll(() => {
    ddb.restore();
    sts.restore();
    cfn.restore();
  });

  it('lists the open records with the silences and acks stored beside them; STS is not asked', async () => {
    const open = record('esa-fra-1/cpq_queue_backlog', { outbox: [] });
    const undelivered = record('sma1/cpq_listener_refused', {
      state: 'ok',
      severity: null,
      outbox: [{ notification: {} as never, attempts: 2, lastError: 'throttled', leaseUntil: null }],
    });
    ddb.on(ScanCommand).resolves({ Items: [open, undelivered] });
    ddb
      .on(GetCommand)
      .callsFake((input: GetCommandInput) =>
        input.Key!.id === OPERATOR_ITEMS.silences
          ? { Item: { id: input.Key!.id, version: 1, items: [SILENCE] } }
          : {},
      );
    sts.on(GetCallerIdentityCommand).rejects(new Error('no credentials'));
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

    const doc = await queryAlerts({ stack: 'CpqMonitor', region: 'eu-west-1' }, undefined, at(10));
    expect(doc.source).toBe('table cpq-alerts');
    expect(ddb.commandCalls(ScanCommand)[0]!.args[0].input.TableName).toBe('cpq-alerts');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    expect(doc.alerts.map((a) => [a.id, a.state, a.silenced?.silenceId ?? null, a.undelivered])).toEqual([
      ['esa-fra-1/cpq_queue_backlog', 'alarm', 'sil-0a1b2c3d', 0],
      ['sma1/cpq_listener_refused', 'ok', null, 1],
    ]);
    const text = renderAlerts(doc);
    expect(text).toContain('sil-0a1b2c3d (dana) until 2026-03-02T11:02:00.000Z: rollout CHG-9');
    expect(text).toContain('(1 undelivered)');
    expect(text).toContain('2 open alert(s) in table cpq-alerts');
  });

  it('a missing alert id names the table it read', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { 'cpq-alerts': [] } });
    await expect(
      queryAlerts({ table: 'cpq-alerts', region: 'eu-west-1' }, 'esa9/cpq_cert_expired'),
    ).rejects.toThrow('no alert esa9/cpq_cert_expired in table cpq-alerts');
  });
});
