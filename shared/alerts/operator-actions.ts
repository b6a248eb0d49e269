/**
 * What the `silence` and `ack` commands do to the operators' documents: each change is read,
 * checked against the rules of silences and acks, and written conditionally (updateOperatorDoc).
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors';
import type { AlertStore } from '../state/alerts/store';
import { type OperatorStore, updateOperatorDoc } from '../state/operators/store';
import { type Ack, ackCurrent, MAX_ACKS, openSeverity, validateAck } from './acks';
import { MAX_SILENCES, type Silence, silenceEnd } from './silences';

/** A new silence id: `sil-` and 8 random hex digits. */
export function newSilenceId(): string {
  return `sil-${randomBytes(4).toString('hex')}`;
}

/** Stores a validated silence (ended ones are dropped on the way); returns it with its id. */
export function addSilence(
  store: OperatorStore,
  silence: Omit<Silence, 'id'>,
  now: Date,
  maxDays: number,
  id: string = newSilenceId(),
): Promise<Silence> {
  const stored: Silence = { id, ...silence };
  return updateOperatorDoc(store, 'silences', (items) => {
    const live = items.filter((s) => silenceEnd(s, maxDays) > now.getTime());
    if (live.length >= MAX_SILENCES) {
      throw new ConfigError(
        `${MAX_SILENCES} silences are active already: remove some (cpq-monitor silence remove ID) or use a broader pattern`,
      );
    }
    return { items: [...live, stored], result: stored };
  });
}

/** Removes a silence by id; throws a ConfigError naming the active ids when it is not there. */
export function removeSilence(
  store: OperatorStore,
  id: string,
  now: Date,
  maxDays: number,
): Promise<Silence> {
  return updateOperatorDoc(store, 'silences', (items) => {
    const found = items.find((s) => s.id === id);
    if (found === undefined) {
      const active = items.filter((s) => silenceEnd(s, maxDays) > now.getTime()).map((s) => s.id);
      throw new ConfigError(
        `no silence ${id}${active.length > 0 ? `; active: ${active.join(', ')}` : ' (no silence is active)'}`,
      );
    }
    return {
      items: items.filter((s) => s.id !== id && silenceEnd(s, maxDays) > now.getTime()),
      result: found,
    };
  });
}

/** Outcome of `acknowledge`. */
export type AckOutcome = { status: 'acknowledged'; ack: Ack } | { status: 'already'; ack: Ack };

/**
 * Acknowledges the current incident of an open alert. The ack names the incident by its start
 * (`since`) and the worst severity known now, so it cannot cover a later incident or a worse one
 * even if the alert changes while this runs. Acks of incidents that have ended are dropped here.
 */
export async function acknowledge(
  operators: OperatorStore,
  alerts: AlertStore,
  req: { alertId: string; reason: string; author: string; now: Date },
): Promise<AckOutcome> {
  const { reason, author } = validateAck(req.reason, req.author);
  const stored = await operators.read('acks');
  const looked = new Set([req.alertId, ...stored.items.map((a) => a.alertId)]);
  const records = await alerts.get([...looked]);
  const record = records.get(req.alertId);
  if (record === undefined || record.state === 'ok' || record.since === null) {
    throw new ConfigError(
      `alert ${req.alertId} has no open incident${record === undefined ? ' (no such alert in the state)' : ` (state ${record.state})`}: nothing to acknowledge`,
    );
  }
  const ack: Ack = {
    alertId: req.alertId,
    since: record.since,
    severity: openSeverity(record) ?? 'info',
    reason,
    author,
    at: req.now.toISOString(),
  };
  return updateOperatorDoc(operators, 'acks', (items) => {
    const existing = items.find((a) => a.alertId === req.alertId && ackCurrent(a, record));
    if (existing !== undefined)
      return { items: null, result: { status: 'already', ack: existing } as AckOutcome };
    // An ack someone wrote meanwhile, for an alert not looked up above, is kept as it is.
    const kept = items.filter(
      (a) =>
        a.alertId !== req.alertId && (looked.has(a.alertId) ? ackCurrent(a, records.get(a.alertId)) : true),
    );
    if (kept.length >= MAX_ACKS) {
      throw new ConfigError(`${MAX_ACKS} open incidents are acknowledged already: the acks document is full`);
    }
    return { items: [...kept, ack], result: { status: 'acknowledged', ack } as AckOutcome };
  });
}
