import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ProcessAlertsInput, processAlerts } from '../../../shared/alerts/engine';
import type { AlertNotification } from '../../../shared/alerts/notifier';
import type { Mute } from '../../../shared/alerts/record';
import { muteResolver, type Silence } from '../../../shared/alerts/silences';
import { SnsNotifier } from '../../../shared/alerts/sns-notifier';
import type { Finding } from '../../../shared/findings/types';
import { FileAlertStore } from '../../../shared/state/alerts/file';
import { at, finding, POLICY } from './fixtures';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts';
const sns = mockClient(SNSClient);
let dir: string;
let store: FileAlertStore;

beforeEach(async () => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  dir = await mkdtemp(join(tmpdir(), 'cpq-alerts-'));
  store = new FileAlertStore(join(dir, 'state', 'alerts.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const REFUSED = finding('sma1', 'cpq_listener_refused');
const ANON = finding('esa1', 'cpq_tls_anonymous', 'warning');

function cycle(
  minute: number,
  findings: Finding[],
  checked: string[],
  extra: Partial<ProcessAlertsInput> = {},
) {
  return processAlerts({
    findings,
    checked,
    now: at(minute),
    policy: POLICY,
    muteFor: () => undefined,
    store,
    notifier: new SnsNotifier(new SNSClient({}), { topicArn: TOPIC }),
    ...extra,
  });
}

function publishedKinds(): string[] {
  return sns.commandCalls(PublishCommand).map((c) => {
    const attrs = c.args[0].input.MessageAttributes!;
    return `${attrs.kind!.StringValue} ${attrs.appliance!.StringValue}`;
  });
}

describe('processAlerts with the file store', () => {
  it('pages once after N failures and sends one recovery after M successes', async () => {
    const ids = [REFUSED.id];
    const r1 = await cycle(0, [REFUSED], ids);
    const r2 = await cycle(1, [REFUSED], ids);
    const r3 = await cycle(2, [REFUSED], ids);
    const r4 = await cycle(3, [], ids);
    const r5 = await cycle(4, [], ids);
    const r6 = await cycle(5, [], ids);

    expect(r1.alerts[0]).toMatchObject({
      before: null,
      after: 'pending',
      status: 'updated',
      notifications: [],
    });
    expect(r2.alerts[0]).toMatchObject({ before: 'pending', after: 'alarm' });
    expect(r2.alerts[0]!.notifications).toEqual([
      { notificationId: `${REFUSED.id}#1`, kind: 'page', outcome: 'sent', retry: false, attempts: 1 },
    ]);
    expect(r2.sent).toBe(1);
    expect(r3.alerts[0]).toMatchObject({
      before: 'alarm',
      after: 'alarm',
      status: 'unchanged',
      notifications: [],
    });
    expect(r4.alerts[0]).toMatchObject({ before: 'alarm', after: 'recovering' });
    expect(r5.alerts[0]).toMatchObject({ before: 'recovering', after: 'ok', status: 'updated' });
    expect(r5.sent).toBe(1);
    // Resolved and delivered: no longer open, so a later success touches nothing.
    expect(r6.alerts).toEqual([]);
    expect(publishedKinds()).toEqual(['page sma1', 'recovery sma1']);
    const [rec] = await store.all();
    // Writes: pending, alarm+page, page sent, recovering, ok+recovery, recovery sent.
    expect(rec).toMatchObject({ state: 'ok', outbox: [], version: 6 });
  });

  it('retries a failed publish on the next cycle and says so in the report', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({ MessageId: 'm-2' });
    const ids = [REFUSED.id];
    await cycle(0, [REFUSED], ids);
    const failed = await cycle(1, [REFUSED], ids);
    expect(failed.failed).toBe(1);
    expect(failed.sent).toBe(0);
    expect(failed.alerts[0]!.notifications[0]).toMatchObject({
      kind: 'page',
      outcome: 'failed',
      retry: false,
      error: 'Throttling: Rate exceeded',
    });
    const [pending] = await store.listOpen();
    expect(pending!.outbox).toEqual([
      expect.objectContaining({ attempts: 1, leaseUntil: null, lastError: 'Throttling: Rate exceeded' }),
    ]);

    const retried = await cycle(2, [REFUSED], ids);
    expect(retried).toMatchObject({ sent: 1, failed: 0, retried: 1 });
    expect(retried.alerts[0]!.notifications).toEqual([
      { notificationId: `${REFUSED.id}#1`, kind: 'page', outcome: 'sent', retry: true, attempts: 2 },
    ]);
    expect(publishedKinds()).toEqual(['page sma1', 'page sma1']);
    expect((await store.all())[0]!.outbox).toEqual([]);
  });

  it('retries an undelivered notification even in a cycle that does not check its id', async () => {
    sns.on(PublishCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    await cycle(0, [REFUSED], [REFUSED.id], { policy: { ...POLICY, failuresBeforePage: 1 } });
    const other = await cycle(1, [], ['esa1/ssh_unreachable']);
    expect(other.retried).toBe(1);
    expect(other.alerts[0]).toMatchObject({ id: REFUSED.id, before: 'alarm', after: 'alarm' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('leaves the retry of an unchecked alert to its owner when retriesFor says so', async () => {
    sns.on(PublishCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    await cycle(0, [REFUSED], [REFUSED.id], { policy: { ...POLICY, failuresBeforePage: 1 } });
    const notMine = await cycle(1, [], ['esa1/ssh_unreachable'], {
      retriesFor: (r) => r.appliance !== 'sma1',
    });
    expect(notMine.alerts).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const mine = await cycle(2, [], ['esa1/ssh_unreachable'], { retriesFor: (r) => r.appliance === 'sma1' });
    expect(mine.retried).toBe(1);
  });

  it('one failing publish does not stop the other alerts', async () => {
    sns.on(PublishCommand).callsFake((input) => {
      if (input.MessageAttributes.appliance.StringValue === 'esa1') throw new Error('AuthorizationError');
      return { MessageId: 'ok' };
    });
    const policy = { ...POLICY, failuresBeforePage: 1 };
    const report = await cycle(0, [ANON, REFUSED], [ANON.id, REFUSED.id], { policy });
    expect(report).toMatchObject({ sent: 1, failed: 1, errors: 0 });
    expect(report.alerts.map((a) => [a.id, a.notifications[0]!.outcome])).toEqual([
      [ANON.id, 'failed'],
      [REFUSED.id, 'sent'],
    ]);
  });

  it('keeps a page before its recovery: after a failed page the recovery waits', async () => {
    sns.on(PublishCommand).rejects(new Error('down'));
    const policy = { ...POLICY, failuresBeforePage: 1, successesBeforeRecovery: 1 };
    await cycle(0, [REFUSED], [REFUSED.id], { policy });
    const r = await cycle(1, [], [REFUSED.id], { policy });
    expect(r.alerts[0]!.notifications.map((n) => [n.kind, n.outcome, n.retry])).toEqual([
      ['page', 'failed', true],
      ['recovery', 'held', false],
    ]);
    sns.on(PublishCommand).resolves({});
    const r3 = await cycle(2, [], [REFUSED.id], { policy });
    expect(r3.alerts[0]!.notifications.map((n) => [n.kind, n.outcome])).toEqual([
      ['page', 'sent'],
      ['recovery', 'sent'],
    ]);
    expect(publishedKinds().slice(-2)).toEqual(['page sma1', 'recovery sma1']);
    expect(await store.listOpen()).toEqual([]);
  });

  it('leaves an entry leased by a running cycle alone until the lease expires', async () => {
    await cycle(0, [REFUSED], [REFUSED.id], { policy: { ...POLICY, failuresBeforePage: 1 } });
    // Simulate a cycle that claimed a reminder and is still publishing it (lease until minute 3).
    const [rec] = await store.all();
    const reminder: AlertNotification = {
      notificationId: `${REFUSED.id}#9`,
      kind: 'reminder',
      alertId: REFUSED.id,
      appliance: 'sma1',
      check: REFUSED.check,
      severity: 'critical',
      state: 'alarm',
      summary: REFUSED.summary,
      evidence: [],
      remediation: [],
      runbookUrl: 'docs/runbook.md#cpq_listener_refused',
      since: at(0).toISOString(),
      at: at(1).toISOString(),
    };
    const claimed = {
      ...rec!,
      outbox: [{ notification: reminder, attempts: 1, lastError: null, leaseUntil: at(3).toISOString() }],
    };
    expect((await store.put(claimed, rec!.version)).status).toBe('written');
    sns.resetHistory();

    const during = await cycle(2, [REFUSED], [REFUSED.id]);
    expect(during.alerts[0]!.notifications).toEqual([
      expect.objectContaining({ kind: 'reminder', outcome: 'in_flight' }),
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const after = await cycle(3, [REFUSED], [REFUSED.id]);
    expect(after.retried).toBe(1);
    expect(publishedKinds()).toEqual(['reminder sma1']);
  });

  it('leaves ids that are neither failing nor checked untouched', async () => {
    const policy = { ...POLICY, failuresBeforePage: 1 };
    await cycle(0, [REFUSED, ANON], [REFUSED.id, ANON.id], { policy });
    const before = await store.all();
    const r = await cycle(1, [], [REFUSED.id], { policy });
    expect(r.alerts.map((a) => a.id)).toEqual([REFUSED.id]);
    const anon = (await store.all()).find((a) => a.id === ANON.id);
    expect(anon).toEqual(before.find((a) => a.id === ANON.id));
  });

  it('reports muted pages with the window and pages when it ends', async () => {
    const mute: Mute = { reason: 'planned SMA reboot', until: at(10).toISOString() };
    const muteFor = (appliance: string, minute: number) =>
      appliance === 'sma1' && minute < 10 ? mute : undefined;
    const ids = [REFUSED.id];
    await cycle(0, [REFUSED], ids, { muteFor: (a) => muteFor(a, 0) });
    const muted = await cycle(1, [REFUSED], ids, { muteFor: (a) => muteFor(a, 1) });
    expect(muted).toMatchObject({ sent: 0, muted: 1 });
    expect(muted.alerts[0]).toMatchObject({ after: 'alarm', muted: mute });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    const later = await cycle(10, [REFUSED], ids, { muteFor: (a) => muteFor(a, 10) });
    expect(later.sent).toBe(1);
    const msg = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!);
    expect(msg.email).toContain('planned SMA reboot');
  });

  it('pages a host key mismatch on its first failure, flapping every other cycle under a silence of everything', async () => {
    const everything: Silence = {
      id: 'sil-00000001',
      appliance: '*',
      createdAt: at(0).toISOString(),
      endsAt: at(600).toISOString(),
      reason: 'noisy week',
      author: 'mallory',
    };
    const muteFor = muteResolver({ maintenance: [] }, [everything], at(0), 7);
    const mismatch = finding('esa1', 'ssh_host_key_mismatch');
    const ids = [mismatch.id];
    const first = await cycle(0, [mismatch], ids, { muteFor });
    expect(first.alerts[0]).toMatchObject({ before: null, after: 'alarm' });
    expect(first.sent).toBe(1);
    expect(publishedKinds()).toEqual(['page esa1']);
    // Failing every other cycle never passes twice in a row: the incident stays open, never muted.
    for (let minute = 1; minute < 9; minute++) {
      const r = await cycle(minute, minute % 2 === 0 ? [mismatch] : [], ids, { muteFor });
      expect(r.muted).toBe(0);
    }
    expect(publishedKinds()).toEqual(['page esa1']);
    expect((await store.all()).find((a) => a.id === mismatch.id)?.state).toBe('alarm');
  });

  it('never throws: an unreadable store becomes the report error', async () => {
    await mkdir(join(dir, 'state'), { recursive: true });
    await writeFile(store.path, '{"broken":');
    const r = await cycle(0, [REFUSED], [REFUSED.id]);
    expect(r.error).toMatch(/is not valid JSON/);
    expect(r.alerts).toEqual([]);
    expect(await readFile(store.path, 'utf8')).toBe('{"broken":');
  });
});
