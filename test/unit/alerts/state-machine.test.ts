import type { AlertRecord, Mute } from '../../../shared/alerts/record';
import { compactFinding, STORED_FINDING_BYTES, STORED_LINES } from '../../../shared/alerts/record-bounds';
import { runbookLink } from '../../../shared/alerts/runbook-link';
import { type AlertPolicy, stepAlert } from '../../../shared/alerts/state-machine';
import type { Severity } from '../../../shared/findings/types';
import { at, finding, POLICY } from './fixtures';

const ID = 'sma1/cpq_listener_refused';

/** One cycle of a scripted scenario: W/C = failing warning/critical, S = passing; `m` = muted. */
type Tick = 'W' | 'C' | 'S' | 'Wm' | 'Cm' | 'Sm';

interface Trace {
  states: string[];
  notes: string[];
  records: AlertRecord[];
}

/** Runs ticks one minute apart from T0 (delivering every notification) and traces each state and notification. */
function run(ticks: Tick[], policy: AlertPolicy = POLICY, startMinute = 0): Trace {
  const mute: Mute = { reason: 'SMA upgrade CHG-1', until: '2026-03-02T12:00:00.000Z' };
  let rec: AlertRecord | undefined;
  const trace: Trace = { states: [], notes: [], records: [] };
  ticks.forEach((tick, i) => {
    const muted = tick.endsWith('m');
    const kind = tick[0];
    const severity: Severity = kind === 'C' ? 'critical' : 'warning';
    const input =
      kind === 'S'
        ? ({ kind: 'success' } as const)
        : { kind: 'failure' as const, finding: finding('sma1', 'cpq_listener_refused', severity) };
    const r = stepAlert(ID, rec, input, { now: at(startMinute + i), policy, mute: muted ? mute : undefined });
    if (r.record) rec = { ...r.record, version: rec ? rec.version + (r.changed ? 1 : 0) : 1 };
    trace.states.push(rec?.state ?? '-');
    trace.notes.push(r.notification ? r.notification.kind : r.mutedKind ? `muted:${r.mutedKind}` : '');
    if (rec) trace.records.push(rec);
    // The notifier delivered whatever was decided: the next cycle starts with an empty outbox.
    if (rec) rec = { ...rec, outbox: [] };
  });
  return trace;
}

describe('stepAlert transitions', () => {
  it.each<[string, Tick[], string[], string[]]>([
    ['one failure stays pending', ['C'], ['pending'], ['']],
    ['N failures page', ['C', 'C'], ['pending', 'alarm'], ['', 'page']],
    [
      'alarm stays silent while failing',
      ['C', 'C', 'C', 'C'],
      ['pending', 'alarm', 'alarm', 'alarm'],
      ['', 'page', '', ''],
    ],
    ['pending then success flaps back silently', ['C', 'S'], ['pending', 'ok'], ['', '']],
    [
      'M successes recover with a notice',
      ['C', 'C', 'S', 'S'],
      ['pending', 'alarm', 'recovering', 'ok'],
      ['', 'page', '', 'recovery'],
    ],
    [
      'failure while recovering returns to alarm without a page',
      ['C', 'C', 'S', 'C', 'S', 'S'],
      ['pending', 'alarm', 'recovering', 'alarm', 'recovering', 'ok'],
      ['', 'page', '', '', '', 'recovery'],
    ],
    [
      'flapping pending never pages',
      ['C', 'S', 'C', 'S', 'C', 'S'],
      ['pending', 'ok', 'pending', 'ok', 'pending', 'ok'],
      ['', '', '', '', '', ''],
    ],
    [
      'warning then critical in alarm escalates once',
      ['W', 'W', 'C', 'C', 'W', 'C'],
      ['pending', 'alarm', 'alarm', 'alarm', 'alarm', 'alarm'],
      ['', 'page', 'escalation', '', '', ''],
    ],
    [
      'escalation while recovering pages again',
      ['W', 'W', 'S', 'C'],
      ['pending', 'alarm', 'recovering', 'alarm'],
      ['', 'page', '', 'escalation'],
    ],
    ['a success with no history stores nothing', ['S', 'S'], ['-', '-'], ['', '']],
    [
      'a new incident after recovery pages again',
      ['C', 'C', 'S', 'S', 'C', 'C'],
      ['pending', 'alarm', 'recovering', 'ok', 'pending', 'alarm'],
      ['', 'page', '', 'recovery', '', 'page'],
    ],
  ])('%s', (_name, ticks, states, notes) => {
    const trace = run(ticks);
    expect(trace.states).toEqual(states);
    expect(trace.notes).toEqual(notes);
  });

  it('pages on the first failure and recovers on the first success with N = M = 1', () => {
    const trace = run(['C', 'S'], { ...POLICY, failuresBeforePage: 1, successesBeforeRecovery: 1 });
    expect(trace.states).toEqual(['alarm', 'ok']);
    expect(trace.notes).toEqual(['page', 'recovery']);
  });

  it('waits for M consecutive successes (a failure resets the count)', () => {
    const trace = run(['C', 'C', 'S', 'S', 'C', 'S', 'S', 'S'], { ...POLICY, successesBeforeRecovery: 3 });
    expect(trace.states).toEqual([
      'pending',
      'alarm',
      'recovering',
      'recovering',
      'alarm',
      'recovering',
      'recovering',
      'ok',
    ]);
    expect(trace.notes.filter(Boolean)).toEqual(['page', 'recovery']);
  });
});

describe('reminders', () => {
  it('reminds every R minutes while in alarm, counted from the last page or reminder', () => {
    // Minute 1 pages; R = 3 → reminders at minutes 4 and 7.
    const trace = run(['C', 'C', 'C', 'C', 'C', 'C', 'C', 'C'], { ...POLICY, reminderMinutes: 3 });
    expect(trace.notes).toEqual(['', 'page', '', '', 'reminder', '', '', 'reminder']);
  });

  it('sends no reminder while an earlier notification is still undelivered', () => {
    let rec: AlertRecord | undefined;
    const policy = { ...POLICY, failuresBeforePage: 1, reminderMinutes: 1 };
    const notes: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = stepAlert(ID, rec, { kind: 'failure', finding: finding() }, { now: at(i), policy });
      rec = r.record;
      notes.push(r.notification?.kind ?? '');
    }
    // The page never left the outbox (SNS down): no reminders pile up behind it.
    expect(notes).toEqual(['page', '', '', '']);
    expect(rec!.outbox).toHaveLength(1);
  });

  it('sends no reminder while recovering, nor when R is 0', () => {
    const recovering = run(['C', 'C', 'S', 'S'], {
      ...POLICY,
      reminderMinutes: 1,
      successesBeforeRecovery: 3,
    });
    expect(recovering.notes).toEqual(['', 'page', '', '']);
    const none = run(['C', 'C', 'C', 'C', 'C'], POLICY);
    expect(none.notes.filter(Boolean)).toEqual(['page']);
  });

  it('an escalation also restarts the reminder clock', () => {
    const trace = run(['W', 'W', 'C', 'C', 'C', 'C'], { ...POLICY, reminderMinutes: 3 });
    expect(trace.notes).toEqual(['', 'page', 'escalation', '', '', 'reminder']);
  });
});

describe('maintenance windows', () => {
  it('mute the page and record the window in the state', () => {
    const trace = run(['Cm', 'Cm', 'Cm']);
    expect(trace.states).toEqual(['pending', 'alarm', 'alarm']);
    expect(trace.notes).toEqual(['', 'muted:page', 'muted:page']);
    expect(trace.records[2]!.muted).toEqual({
      reason: 'SMA upgrade CHG-1',
      until: '2026-03-02T12:00:00.000Z',
    });
    expect(trace.records[2]!.pagedSeverity).toBeNull();
    expect(trace.records[2]!.outbox).toEqual([]);
  });

  it('send the held-back page once the window ends, saying why it is late', () => {
    let rec: AlertRecord | undefined;
    for (const [i, muted] of [true, true, false].entries()) {
      const r = stepAlert(
        ID,
        rec,
        { kind: 'failure', finding: finding() },
        {
          now: at(i),
          policy: POLICY,
          mute: muted ? { reason: 'SMA upgrade CHG-1', until: at(2).toISOString() } : undefined,
        },
      );
      rec = r.record;
      if (i === 2) {
        expect(r.notification?.kind).toBe('page');
        expect(r.notification?.deferredBy).toBe('SMA upgrade CHG-1');
        expect(r.notification?.since).toBe(at(0).toISOString());
      }
    }
    expect(rec!.muted).toBeNull();
  });

  it('end an incident that was never paged silently', () => {
    const trace = run(['Cm', 'Cm', 'Sm', 'Sm']);
    expect(trace.states).toEqual(['pending', 'alarm', 'recovering', 'ok']);
    expect(trace.notes).toEqual(['', 'muted:page', '', 'muted:recovery']);
    expect(trace.records[3]!.muted).toBeNull();
  });

  it('still send the recovery of a page sent before the window (it closes a page on-call holds)', () => {
    const trace = run(['C', 'C', 'Sm', 'Sm']);
    expect(trace.notes).toEqual(['', 'page', '', 'recovery']);
  });

  it('mute reminders and escalations during the window and send the escalation after it', () => {
    const trace = run(['W', 'W', 'Cm', 'Cm', 'C'], { ...POLICY, reminderMinutes: 1 });
    expect(trace.notes).toEqual(['', 'page', 'muted:escalation', 'muted:escalation', 'escalation']);
  });

  it('mark an open alert muted even when nothing needed muting, and unmark it after', () => {
    const trace = run(['C', 'C', 'Cm', 'C']);
    expect(trace.records.map((r) => r.muted?.reason ?? null)).toEqual([
      null,
      null,
      'SMA upgrade CHG-1',
      null,
    ]);
  });
});

describe('records and notifications', () => {
  it('fill the page with what, where, since when, evidence, fix and the runbook link', () => {
    const r1 = stepAlert(
      ID,
      undefined,
      { kind: 'failure', finding: finding() },
      { now: at(0), policy: POLICY },
    );
    const r2 = stepAlert(
      ID,
      r1.record,
      { kind: 'failure', finding: finding() },
      { now: at(1), policy: POLICY },
    );
    expect(r2.notification).toEqual({
      notificationId: `${ID}#1`,
      kind: 'page',
      alertId: ID,
      appliance: 'sma1',
      check: 'cpq_listener_refused',
      severity: 'critical',
      state: 'alarm',
      summary: 'CPQ listener on sma1 refuses connections on port 7025',
      evidence: finding().evidence,
      remediation: ['status', 'resume'],
      runbookUrl: 'https://wiki.example.com/cpq/runbook#cpq_listener_refused',
      since: at(0).toISOString(),
      at: at(1).toISOString(),
    });
    expect(r2.record!.outbox).toEqual([
      { notification: r2.notification, attempts: 0, lastError: null, leaseUntil: null },
    ]);
    expect(r2.record!.pagedSeverity).toBe('critical');
    expect(r2.record!.sequence).toBe(1);
  });

  it('give the recovery the incident start, the paged severity and a TTL', () => {
    const trace = run(['C', 'C', 'S', 'S']);
    const ok = trace.records[3]!;
    const recovery = ok.outbox.at(-1)!.notification;
    expect(recovery).toMatchObject({
      kind: 'recovery',
      state: 'ok',
      severity: 'critical',
      since: at(0).toISOString(),
      at: at(3).toISOString(),
      notificationId: `${ID}#2`,
    });
    expect(ok.expiresAt).toBe(Math.floor(at(3).getTime() / 1000) + 14 * 86_400);
    expect(ok.since).toBeNull();
  });

  it('a new incident clears the TTL', () => {
    const trace = run(['C', 'C', 'S', 'S', 'C']);
    expect(trace.records[4]!.expiresAt).toBeUndefined();
  });

  it('report unchanged when a failing alarm needs nothing new (no write needed)', () => {
    const r1 = stepAlert(
      ID,
      undefined,
      { kind: 'failure', finding: finding() },
      { now: at(0), policy: { ...POLICY, failuresBeforePage: 1 } },
    );
    const rec = { ...r1.record!, outbox: [], version: 1 };
    const r2 = stepAlert(ID, rec, { kind: 'failure', finding: finding() }, { now: at(1), policy: POLICY });
    expect(r2.changed).toBe(false);
    expect(r2.notification).toBeNull();
  });

  it('caps the evidence kept with the alert so a record stays far below the DynamoDB item limit', () => {
    const huge = {
      ...finding(),
      evidence: Array.from({ length: 5000 }, (_, i) => `${i} ${'z'.repeat(2000)}`),
    };
    const r = stepAlert(
      ID,
      undefined,
      { kind: 'failure', finding: huge },
      { now: at(0), policy: { ...POLICY, failuresBeforePage: 1 } },
    );
    const kept = r.record!.finding!.evidence;
    // As many 400-character lines as fit the byte budget, then one line counting the rest.
    expect(kept.length).toBeGreaterThan(10);
    expect(kept.length).toBeLessThanOrEqual(STORED_LINES.evidence + 1);
    expect(kept[kept.length - 1]).toBe(`(${5000 - (kept.length - 1)} more lines not kept)`);
    expect(kept[0]).toHaveLength(400);
    const f = r.record!.finding!;
    const bytes = [f.summary, ...f.evidence, ...f.remediation].reduce((n, l) => n + Buffer.byteLength(l), 0);
    expect(bytes).toBeLessThanOrEqual(STORED_FINDING_BYTES);
    expect(Buffer.byteLength(JSON.stringify(r.record))).toBeLessThan(100_000);
    const small = finding();
    expect(compactFinding(small)).toBe(small);
  });

  it('builds runbook links, replacing an existing fragment', () => {
    expect(runbookLink('docs/runbook.md', 'cpq_tls_anonymous')).toBe('docs/runbook.md#cpq_tls_anonymous');
    expect(runbookLink('https://x/rb#old', 'a')).toBe('https://x/rb#a');
  });
});
