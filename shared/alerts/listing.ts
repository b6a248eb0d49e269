/**
 * What is open, as on-call asks it (`cpq-monitor alerts`, docs/alerts.md#what-is-open): every
 * open alert with its severity, state, start, last notification, and what mutes or acknowledges
 * it now. Silences and acks are judged from the operators' documents at `now`, not from the last
 * cycle's copy in the record, so a silence added a minute ago already shows. Pure.
 */
import picomatch from 'picomatch';
import { ConfigError } from '../errors';
import { endsOf } from '../findings/ids';
import type { Finding, Severity } from '../findings/types';
import type { Inventory } from '../inventory/schema';
import type { OperatorState } from '../state/operators/store';
import { ackCovers } from './acks';
import type { AlertRecord, AlertState } from './record';
import { muteResolver } from './silences';

/** What mutes an alert now: a silence (by id) or a maintenance window, until when. */
export interface SilencedBy {
  source: 'silence' | 'maintenance';
  /** The silence's id (absent for a maintenance window). */
  silenceId?: string;
  author?: string;
  reason: string;
  until: string;
}

/** One open alert, as `alerts` lists it. */
export interface AlertListing {
  id: string;
  appliance: string;
  check: string;
  severity: Severity | null;
  state: AlertState;
  /** First failing cycle of the incident. */
  since: string | null;
  /** Last page, escalation or reminder sent or decided (not muted). */
  lastNotifiedAt: string | null;
  /** Null when nothing mutes it now. */
  silenced: SilencedBy | null;
  /** Null when no acknowledgement covers the current incident. */
  acknowledged: { by: string; at: string; reason: string } | null;
  /** Notifications decided but not yet delivered (retried by the next cycle). */
  undelivered: number;
  summary: string | null;
  /** The finding as the record keeps it (what the page carried); only in `alerts ALERT-ID`. */
  finding?: Finding | null;
}

/** Filters of `alerts`: globs on the appliance (either end of a path) and the check, and states. */
export interface AlertFilters {
  appliance?: string;
  check?: string;
  states?: readonly AlertState[];
}

/** The states an open alert can be in (`ok` with undelivered notifications included). */
export const ALERT_STATES: readonly AlertState[] = ['pending', 'alarm', 'recovering', 'ok'];

/** `alarm,pending` → states; anything else is a usage error naming the choices. */
export function parseStates(text: string): AlertState[] {
  const out = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of out) {
    if (!(ALERT_STATES as readonly string[]).includes(s))
      throw new ConfigError(`--alert-state "${s}" is not one of ${ALERT_STATES.join(', ')}`);
  }
  return out as AlertState[];
}

/** True when the record passes the filters. */
export function matchesFilters(
  r: Pick<AlertRecord, 'id' | 'appliance' | 'check' | 'state'>,
  f: AlertFilters,
) {
  if (f.states !== undefined && f.states.length > 0 && !f.states.includes(r.state)) return false;
  if (f.check !== undefined && !picomatch.isMatch(r.check, f.check)) return false;
  if (f.appliance === undefined) return true;
  const names = new Set([r.appliance, ...endsOf(r.id)]);
  return [...names].some((n) => picomatch.isMatch(n, f.appliance!, { dot: true }));
}

/** The open alerts that pass the filters, worst first (alarm before recovering before pending), then by id. */
export function listAlerts(
  records: readonly AlertRecord[],
  operators: OperatorState,
  inventory: Pick<Inventory, 'maintenance'> | undefined,
  now: Date,
  maxSilenceDays: number,
  filters: AlertFilters = {},
): AlertListing[] {
  const muteOf = muteResolver(inventory ?? { maintenance: [] }, operators.silences, now, maxSilenceDays);
  const acks = new Map(operators.acks.map((a) => [a.alertId, a]));
  return records
    .filter((r) => matchesFilters(r, filters))
    .map((r): AlertListing => {
      const mute = muteOf(r.appliance, r.check, r.id);
      const ack = acks.get(r.id);
      return {
        id: r.id,
        appliance: r.appliance,
        check: r.check,
        severity: r.severity ?? r.pagedSeverity,
        state: r.state,
        since: r.since,
        lastNotifiedAt: r.lastNotifiedAt,
        silenced:
          mute === undefined
            ? null
            : {
                source: mute.source ?? 'maintenance',
                ...(mute.silenceId !== undefined ? { silenceId: mute.silenceId } : {}),
                ...(mute.author !== undefined ? { author: mute.author } : {}),
                reason: mute.reason,
                until: mute.until,
              },
        acknowledged: ackCovers(ack, r) ? { by: ack.author, at: ack.at, reason: ack.reason } : null,
        undelivered: r.outbox.length,
        summary: r.finding?.summary ?? null,
      };
    })
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const STATE_ORDER: Record<AlertState, number> = { alarm: 0, recovering: 1, pending: 2, ok: 3 };
