/**
 * A changed cause on an open alert: one update notification ("cause changed: ..."), keyed on the
 * cause fingerprint stored in the alert record; the same cause again stays silent.
 */

import { alertNotificationSchema } from '../../../shared/alerts/document';
import { headline } from '../../../shared/alerts/format';
import type { AlertRecord, Mute } from '../../../shared/alerts/record';
import { type StepResult, stepAlert } from '../../../shared/alerts/state-machine';
import type { Finding } from '../../../shared/findings/types';
import { at, POLICY } from './fixtures';

const ID = 'sma1/ssh_read_incomplete';

function incomplete(cause: string | undefined, summary: string): Finding {
  return {
    id: ID,
    appliance: 'sma1',
    check: 'ssh_read_incomplete',
    severity: 'warning',
    summary,
    evidence: ['ssh 127.0.0.1:22: unexpected_prompt: ...'],
    remediation: [],
    runbook: 'ssh_read_incomplete',
    ...(cause !== undefined ? { cause } : {}),
  };
}

const QUESTION = incomplete(
  'status=stopped at "Really commit and reboot? [Y]>"',
  'sma1: SSH read incomplete: stopped at "Really commit and reboot? [Y]>" (status)',
);
const TIMEOUT = incomplete(
  'status=no prompt within the command timeout',
  'sma1: SSH read incomplete: no prompt within the command timeout (status)',
);

/** Steps the findings one minute apart, the outbox delivered after each. */
function steps(findings: Finding[], mute?: (i: number) => Mute | undefined): StepResult[] {
  let rec: AlertRecord | undefined;
  return findings.map((f, i) => {
    const m = mute?.(i);
    const r = stepAlert(
      ID,
      rec,
      { kind: 'failure', finding: f },
      {
        now: at(i),
        policy: { ...POLICY, failuresBeforePage: 1 },
        ...(m !== undefined ? { mute: m } : {}),
      },
    );
    rec = r.record ? { ...r.record, outbox: [] } : rec;
    return r;
  });
}

describe('a changed cause on an open alert', () => {
  it('sends one update saying the cause changed, stores the new fingerprint, then stays silent', () => {
    const r = steps([QUESTION, QUESTION, TIMEOUT, TIMEOUT]);
    expect(r.map((x) => x.notification?.kind ?? '')).toEqual(['page', '', 'update', '']);
    const update = r[2]!.notification!;
    expect(update.summary).toBe(`cause changed: ${TIMEOUT.summary}`);
    expect(headline(update)).toBe('UPDATED WARNING');
    expect(alertNotificationSchema.safeParse(update).success).toBe(true);
    expect(r[0]!.record!.cause).toBe(QUESTION.cause);
    expect(r[2]!.record!.cause).toBe(TIMEOUT.cause);
  });

  it('a finding without a fingerprint never sends an update', () => {
    const a = incomplete(undefined, 'one');
    const b = incomplete(undefined, 'two');
    expect(steps([a, b]).map((x) => x.notification?.kind ?? '')).toEqual(['page', '']);
  });

  it('while muted the update is held back, and it is not forgotten: recorded as withheld', () => {
    const mute: Mute = { reason: 'upgrade', until: at(60).toISOString() };
    const r = steps([QUESTION, TIMEOUT, TIMEOUT], (i) => (i >= 1 ? mute : undefined));
    expect(r.map((x) => x.notification?.kind ?? x.mutedKind ?? '')).toEqual(['page', 'update', 'update']);
    expect(r[1]!.notification).toBeNull();
    expect(r[2]!.record!.withheld?.map((w) => w.kind)).toEqual(['update']);
  });

  it('the cause is cleared when the incident ends', () => {
    let rec: AlertRecord | undefined = steps([QUESTION]).at(-1)!.record;
    for (let i = 1; i <= POLICY.successesBeforeRecovery; i++)
      rec = stepAlert(ID, rec, { kind: 'success' }, { now: at(i), policy: POLICY }).record;
    expect(rec?.state).toBe('ok');
    expect(rec?.cause).toBeUndefined();
  });
});
