/**
 * The alert state machine, one per finding id. Pure: the previous record, what this cycle saw and
 * the clock go in; the next record and at most one notification come out. No I/O, no Date.now().
 *
 *   ok ──fail──► pending ──(N consecutive failures)──► alarm  [page]
 *   pending ──success──► ok                             (never paged: nothing to say)
 *   alarm ──success──► recovering ──(M consecutive successes)──► ok  [recovery]
 *   recovering ──fail──► alarm                          (no new page: the incident is still open)
 *   alarm, severity rises above the paged one           [escalation]
 *   alarm, R minutes since the last page or reminder    [reminder]
 *   alarm, the finding's cause fingerprint changed     [update]  ("cause changed: ...")
 * A maintenance window or a silence mutes pages, escalations and reminders and records `muted`
 * in the state; when it ends and the alert is still failing, the alert pages again. An
 * acknowledgement of the incident stops its reminders and that page again, not an escalation.
 * What was held back is kept in `withheld` (docs/alerts.md#silences).
 *
 * The record it returns is bounded (`record-bounds.ts`); the notification is built by
 * `build-notification.ts`.
 */

import { parseFindingId } from '../findings/ids';
import { type Finding, severityRank } from '../findings/types';
import { type Ack, ackCovers } from './acks';
import { buildNotification } from './build-notification';
import type { AlertNotification, NotificationKind } from './notifier';
import { type AlertRecord, type Mute, WITHHELD_KEPT } from './record';
import { boundOutbox, compactFinding } from './record-bounds';

/** How eagerly to page; from the inventory's `alerting` section. */
export interface AlertPolicy {
  /** Consecutive failing cycles before the page (1 pages on the first failure). */
  failuresBeforePage: number;
  /** Consecutive passing cycles before the recovery notice. */
  successesBeforeRecovery: number;
  /** Minutes between reminders while in alarm; 0 disables them. */
  reminderMinutes: number;
  /** Base of runbook links; the finding's anchor is appended after `#`. */
  runbookUrl: string;
}

/** What one cycle saw for one alert id. */
export type AlertInput = { kind: 'failure'; finding: Finding } | { kind: 'success' };

/** The clock, the policy and the maintenance state for one step. */
export interface StepContext {
  now: Date;
  policy: AlertPolicy;
  mute?: Mute;
  /** The stored acknowledgement of this alert, if any (applies only to the incident it names). */
  ack?: Ack;
  /** Days a resolved record is kept before its TTL expires; default 14. */
  retentionDays?: number;
}

/** Result of one step. `record` is undefined only when there is nothing to store (a success with no history). */
export interface StepResult {
  record: AlertRecord | undefined;
  /** The notification to deliver, already appended to `record.outbox`. */
  notification: AlertNotification | null;
  /** A notification the maintenance window (or a page that was never sent) held back. */
  mutedKind: NotificationKind | null;
  /** What held `mutedKind` back (a maintenance window, a silence, an acknowledgement). */
  mutedBy?: string;
  /** False when the record is unchanged and need not be written. */
  changed: boolean;
}

const DEFAULT_RETENTION_DAYS = 14;

/** What a transition decided: the notification due, if any, and what held back an earlier page. */
interface Transition {
  kind: NotificationKind | null;
  /** For a page: the mute that held it back until now. */
  deferredBy?: string;
  /** Set when an incident on-call never heard of ends: what kept it from them. */
  endedUnpagedBy?: string;
}

/** Advances one alert by one cycle. */
export function stepAlert(
  id: string,
  prev: AlertRecord | undefined,
  input: AlertInput,
  ctx: StepContext,
): StepResult {
  if (input.kind === 'success' && (prev === undefined || prev.state === 'ok')) {
    return { record: prev, notification: null, mutedKind: null, changed: false };
  }
  const now = ctx.now.toISOString();
  const base: AlertRecord = prev ?? emptyRecord(id, input.kind === 'failure' ? input.finding : null, now);
  const next: AlertRecord = { ...base, outbox: [...base.outbox] };
  const t =
    input.kind === 'failure'
      ? failed(base, next, compactFinding(input.finding), ctx, now)
      : passed(base, next, ctx, now);
  if (t.endedUnpagedBy !== undefined) {
    const by = t.endedUnpagedBy;
    return finish(base, prev, withhold(next, 'recovery', by, now), null, 'recovery', by);
  }
  const kind = t.kind;

  // Maintenance and silences: mute what would page, and say so in the state while the alert is open.
  next.muted = ctx.mute !== undefined && next.state !== 'ok' ? { ...ctx.mute } : null;
  // An acknowledgement of this incident (at this severity) shows in the state while it covers it.
  const acked = ackCovers(ctx.ack, next);
  if (acked) {
    const { alertId: _, ...note } = ctx.ack!;
    next.ack = note;
  } else {
    delete next.ack;
  }
  if (kind !== null && kind !== 'recovery' && ctx.mute !== undefined) {
    const by = muteLabel(ctx.mute);
    return finish(base, prev, withhold(next, kind, by, now), null, kind, by);
  }
  // Acked: no re-notification of the incident; an escalation is not covered (ackCovers).
  if (acked && (kind === 'reminder' || (kind === 'page' && base.pagedSeverity !== null))) {
    const by = `acknowledged by ${ctx.ack!.author}`;
    return finish(base, prev, withhold(next, kind, by, now), null, kind, by);
  }
  const notification = kind === null ? null : queue(base, next, kind, t.deferredBy, ctx, now);
  return finish(base, prev, next, notification, null);
}

/** A failing cycle: counts up to the page, or decides an escalation, a page again or a reminder. */
function failed(base: AlertRecord, next: AlertRecord, f: Finding, ctx: StepContext, now: string): Transition {
  next.appliance = f.appliance;
  next.check = f.check;
  next.severity = f.severity;
  next.successes = 0;
  if (base.state === 'ok' || base.state === 'pending') {
    if (base.state === 'ok') {
      next.failures = 0;
      next.since = now;
      next.pagedSeverity = null;
      next.finding = f;
      next.changedAt = now;
      delete next.expiresAt;
      delete next.withheld;
    }
    next.failures += 1;
    if (next.failures < ctx.policy.failuresBeforePage) {
      next.state = 'pending';
      return { kind: null };
    }
    next.state = 'alarm';
    next.changedAt = now;
    next.finding = f;
    return { kind: 'page' };
  }
  if (base.state === 'recovering') {
    next.state = 'alarm';
    next.changedAt = now;
  }
  const t: Transition = { kind: null };
  if (base.pagedSeverity === null) {
    // Still open and on-call never heard of it: a maintenance window held the page back.
    t.kind = 'page';
    if (base.muted !== null) t.deferredBy = base.muted.reason;
  } else if (severityRank(f.severity) > severityRank(base.pagedSeverity)) {
    t.kind = 'escalation';
  } else if (base.muted !== null && ctx.mute === undefined) {
    // The mute ended and the alert still fails: tell on-call again (unless acknowledged).
    t.kind = 'page';
    t.deferredBy = base.muted.reason;
  } else if (causeChanged(base, f)) {
    // Told of one cause, failing for another: said once, never folded silently into the old page.
    t.kind = 'update';
  } else if (base.state === 'alarm' && reminderDue(base, ctx)) {
    t.kind = 'reminder';
  }
  if (t.kind !== null) next.finding = f;
  return t;
}

/** True when on-call was told one cause of this incident and the finding now has another. */
function causeChanged(base: AlertRecord, f: Finding): boolean {
  return (
    base.pagedSeverity !== null && base.cause !== undefined && f.cause !== undefined && f.cause !== base.cause
  );
}

/** A passing cycle of an open alert: counts up to the recovery. */
function passed(base: AlertRecord, next: AlertRecord, ctx: StepContext, now: string): Transition {
  if (base.state === 'pending') {
    // Flapped back before the page: nobody was told, so nothing to say.
    resetToOk(next, now, ctx);
    return { kind: null };
  }
  if (base.state === 'ok') return { kind: null };
  next.successes = base.state === 'alarm' ? 1 : base.successes + 1;
  if (next.successes >= ctx.policy.successesBeforeRecovery) {
    // A recovery closes a page on-call holds, so maintenance does not mute it; an
    // incident that was never paged ends silently.
    resetToOk(next, now, ctx);
    if (base.pagedSeverity === null) {
      return { kind: null, endedUnpagedBy: base.muted !== null ? muteLabel(base.muted) : 'never paged' };
    }
    return { kind: 'recovery' };
  }
  if (base.state === 'alarm') {
    next.state = 'recovering';
    next.changedAt = now;
  }
  return { kind: null };
}

/** Appends the transition's notification to the outbox (bounded) and returns it as queued. */
function queue(
  base: AlertRecord,
  next: AlertRecord,
  kind: NotificationKind,
  deferredBy: string | undefined,
  ctx: StepContext,
  now: string,
): AlertNotification {
  const built = buildNotification(base, next, kind, now, ctx.policy.runbookUrl, deferredBy);
  next.sequence = base.sequence + 1;
  next.outbox.push({ notification: built, attempts: 0, lastError: null, leaseUntil: null });
  boundOutbox(next);
  // The new notification may now carry the count of what it stands for.
  const notification =
    next.outbox.find((e) => e.notification.notificationId === built.notificationId)?.notification ?? built;
  if (kind !== 'recovery') {
    // The cause on-call now holds (every notification but a recovery carries the finding).
    if (next.finding?.cause !== undefined) next.cause = next.finding.cause;
    else delete next.cause;
    next.pagedSeverity =
      base.pagedSeverity !== null && severityRank(base.pagedSeverity) > severityRank(notification.severity)
        ? base.pagedSeverity
        : notification.severity;
    next.lastNotifiedAt = now;
  }
  return notification;
}

function finish(
  base: AlertRecord,
  prev: AlertRecord | undefined,
  next: AlertRecord,
  notification: AlertNotification | null,
  mutedKind: NotificationKind | null,
  mutedBy?: string,
): StepResult {
  const changed = prev === undefined || notification !== null || !sameRecord(base, next);
  return { record: next, notification, mutedKind, ...(mutedBy !== undefined ? { mutedBy } : {}), changed };
}

/** How a mute is named in reports and `withheld`. */
export function muteLabel(m: Mute): string {
  return m.source === 'silence' ? `silence ${m.silenceId ?? '?'} (${m.reason})` : `maintenance (${m.reason})`;
}

/**
 * Records a held-back notification in the record. The same kind held back by the same thing
 * again (every cycle of a long silence) is not repeated, so a steady muted alert is not rewritten.
 */
function withhold(next: AlertRecord, kind: NotificationKind, by: string, now: string): AlertRecord {
  const list = next.withheld ?? [];
  const last = list[list.length - 1];
  if (last?.kind === kind && last.by === by) return next;
  const severity = kind === 'recovery' ? null : next.severity;
  next.withheld = [...list, { kind, severity, at: now, by }].slice(-WITHHELD_KEPT);
  return next;
}

function reminderDue(rec: AlertRecord, ctx: StepContext): boolean {
  if (ctx.policy.reminderMinutes <= 0 || rec.lastNotifiedAt === null) return false;
  // While an earlier notification is still undelivered, a reminder would only pile up behind it.
  if (rec.outbox.length > 0) return false;
  return ctx.now.getTime() - Date.parse(rec.lastNotifiedAt) >= ctx.policy.reminderMinutes * 60_000;
}

/** The incident fields of an alert with no open incident, as of `now` (in the record's key order). */
function closed(now: string) {
  return {
    state: 'ok',
    severity: null,
    pagedSeverity: null,
    failures: 0,
    successes: 0,
    since: null,
    changedAt: now,
    lastNotifiedAt: null,
  } as const satisfies Partial<AlertRecord>;
}

function resetToOk(next: AlertRecord, now: string, ctx: StepContext): void {
  Object.assign(next, closed(now));
  next.muted = null;
  delete next.ack;
  delete next.cause;
  const days = ctx.retentionDays ?? DEFAULT_RETENTION_DAYS;
  next.expiresAt = Math.floor(ctx.now.getTime() / 1000) + days * 86_400;
}

function emptyRecord(id: string, f: Finding | null, now: string): AlertRecord {
  const { subject, check } = parseFindingId(id);
  return {
    id,
    appliance: f?.appliance ?? subject,
    check: f?.check ?? check,
    ...closed(now),
    finding: null,
    muted: null,
    sequence: 0,
    outbox: [],
    version: 0,
  };
}

function sameRecord(a: AlertRecord, b: AlertRecord): boolean {
  return JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
}
