import type { Ack } from '../../../shared/alerts/acks';
import type { AlertRecord, Mute } from '../../../shared/alerts/record';
import { type AlertPolicy, stepAlert } from '../../../shared/alerts/state-machine';
import type { Severity } from '../../../shared/findings/types';
import { at, finding, POLICY } from './fixtures';

const ID = 'sma1/cpq_listener_refused';
const REMIND: AlertPolicy = { ...POLICY, reminderMinutes: 2 };

/** Runs one tick a minute: `W`/`C` failing, `S` passing; acks and mutes by minute. */
function run(
  ticks: string[],
  opts: { ackAt?: number; ackSeverity?: Severity; mute?: (minute: number) => Mute | undefined } = {},
) {
  let rec: AlertRecord | undefined;
  let ack: Ack | undefined;
  const notes: string[] = [];
  const records: AlertRecord[] = [];
  ticks.forEach((tick, i) => {
    if (i === opts.ackAt && rec?.since) {
      ack = {
        alertId: ID,
        since: rec.since,
        severity: opts.ackSeverity ?? rec.severity!,
        reason: 'on it',
        author: 'alice',
        at: at(i).toISOString(),
      };
    }
    const input =
      tick === 'S'
        ? ({ kind: 'success' } as const)
        : ({
            kind: 'failure',
            finding: finding('sma1', 'cpq_listener_refused', tick === 'C' ? 'critical' : 'warning'),
          } as const);
    const mute = opts.mute?.(i);
    const r = stepAlert(ID, rec, input, {
      now: at(i),
      policy: REMIND,
      ...(mute ? { mute } : {}),
      ...(ack ? { ack } : {}),
    });
    rec = r.record ? { ...r.record, outbox: [] } : rec;
    notes.push(r.notification ? r.notification.kind : r.mutedKind ? `muted:${r.mutedKind}` : '');
    if (rec) records.push(rec);
  });
  return { notes, records };
}

describe('acknowledgements', () => {
  it('stop the reminders of the incident and show in its state', () => {
    const { notes, records } = run(['W', 'W', 'W', 'W', 'W', 'W', 'W'], { ackAt: 3 });
    expect(notes).toEqual([
      '',
      'page',
      '',
      'muted:reminder',
      'muted:reminder',
      'muted:reminder',
      'muted:reminder',
    ]);
    expect(records[3]!.ack).toMatchObject({ author: 'alice', reason: 'on it', since: at(0).toISOString() });
    expect(records[3]!.withheld).toEqual([
      { kind: 'reminder', severity: 'warning', at: at(3).toISOString(), by: 'acknowledged by alice' },
    ]);
    // Held back once in the record, not once per cycle.
    expect(records[6]!.withheld).toHaveLength(1);
  });

  it('let a worse severity page (escalation) and end there', () => {
    const { notes, records } = run(['W', 'W', 'W', 'C', 'C', 'C', 'C'], { ackAt: 2 });
    expect(notes).toEqual(['', 'page', '', 'escalation', '', 'reminder', '']);
    expect(records[3]!.ack).toBeUndefined();
  });

  it('do not cover the next incident: it pages again', () => {
    const { notes, records } = run(['W', 'W', 'W', 'S', 'S', 'W', 'W', 'W', 'W'], { ackAt: 2 });
    expect(notes).toEqual(['', 'page', '', '', 'recovery', '', 'page', '', 'reminder']);
    expect(records[4]!.ack).toBeUndefined();
    expect(records[6]!.ack).toBeUndefined();
  });

  it('hold back the page again when a silence ends on an acknowledged alert', () => {
    const mute: Mute = {
      reason: 'disk swap',
      until: at(4).toISOString(),
      source: 'silence',
      silenceId: 'sil-1',
    };
    const silenced = run(['W', 'W', 'W', 'W', 'W', 'W'], {
      mute: (m) => (m >= 2 && m < 4 ? mute : undefined),
    });
    expect(silenced.notes).toEqual(['', 'page', '', 'muted:reminder', 'page', '']);
    const acked = run(['W', 'W', 'W', 'W', 'W', 'W'], {
      ackAt: 2,
      mute: (m) => (m >= 2 && m < 4 ? mute : undefined),
    });
    expect(acked.notes).toEqual(['', 'page', '', 'muted:reminder', 'muted:page', 'muted:reminder']);
    expect(acked.records[4]!.withheld?.map((w) => w.by)).toEqual([
      'silence sil-1 (disk swap)',
      'acknowledged by alice',
    ]);
  });
});
