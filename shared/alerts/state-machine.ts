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
 * A maintenance window or a silence mutes pages, escalations and reminders and records `muted`
 * in the state; when it ends and the alert is still failing, the alert pages again. An
 * acknowledgement of the incident stops its reminders and that page again, not an escalation.
 * What was held back is kept in `withheld` (docs/alerts.md#silences).
 *
 * The record is bounded whatever happens (DynamoDB refuses items over 400 KB, and an alert whose
 * record cannot be written can no longer page): the stored finding and every notification are
 * capped in lines, characters and bytes, and the outbox keeps at most OUTBOX_MAX entries. While
 * the notifier is down a flapping alert would queue a page and a recovery per flap; the older,
 * never-delivered incidents are coalesced into the newest one (boundOutbox) and counted.
 */

import { notificationId, parseFindingId } from '../findings/ids';
import { type Finding, type Severity, severityRank } from '../findings/types';
import { type Ack, type AckNote, ackCovers } from './acks';
import type { AlertNotification, NotificationKind } from './notifier';

export type AlertState = 'ok' | 'pending' | 'alarm' | 'recovering';

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

/** A maintenance window or a silence covering the alert. */
export interface Mute {
  reason: string;
  /** End of the window, ISO 8601. */
  until: string;
  /** Where it comes from (absent in records written before silences existed: maintenance). */
  source?: 'maintenance' | 'silence';
  /** The silence's id. */
  silenceId?: string;
  /** Who added the silence. */
  author?: string;
}

/** A notification a mute or an acknowledgement held back: what would have been sent. */
export interface WithheldNotification {
  kind: NotificationKind;
  severity: Severity | null;
  /** When it was first held back, ISO 8601. */
  at: string;
  /** What held it back, e.g. `silence sil-1a2b3c4d (esa3 disk swap)`. */
  by: string;
}

/** Most withheld notifications kept in a record (the newest). */
export const WITHHELD_KEPT = 10;

/** A notification decided but not yet confirmed delivered (the outbox of the alert). */
export interface OutboxEntry {
  notification: AlertNotification;
  /** Delivery attempts so far. */
  attempts: number;
  lastError: string | null;
  /** While in the future, a cycle is publishing this entry and other cycles leave it alone. */
  leaseUntil: string | null;
}

/** The stored state of one alert. */
export interface AlertRecord {
  id: string;
  appliance: string;
  check: string;
  state: AlertState;
  /** Severity of the latest failing observation in this incident; null when ok. */
  severity: Severity | null;
  /** Severity last paged in this incident; null while on-call has not been told. */
  pagedSeverity: Severity | null;
  /** Consecutive failing cycles (counted up to the page). */
  failures: number;
  /** Consecutive passing cycles while recovering. */
  successes: number;
  /** First failing cycle of this incident, ISO 8601; null when ok. */
  since: string | null;
  /** Last state change, ISO 8601. */
  changedAt: string;
  /** Last page, escalation or reminder decided (not muted), ISO 8601. */
  lastNotifiedAt: string | null;
  /** The finding as of the last transition or notification. */
  finding: Finding | null;
  /** Set while a maintenance window mutes this alert. */
  muted: Mute | null;
  /** Notifications created so far (the suffix of the next notification id). */
  sequence: number;
  /** Notifications not yet confirmed delivered, oldest first. */
  outbox: OutboxEntry[];
  /** Optimistic-concurrency version; 0 for a record never stored. */
  version: number;
  /**
   * Notifications removed from the outbox undelivered over the record's life: older incidents of
   * a flapping alert coalesced into the newest one, or entries over OUTBOX_MAX. Absent when none.
   */
  dropped?: number;
  /** Epoch seconds after which a resolved record may be deleted (DynamoDB TTL). */
  expiresAt?: number;
  /** Set while an acknowledgement covers the open incident. */
  ack?: AckNote;
  /** What mutes and acks held back in the latest incident, oldest first (at most WITHHELD_KEPT). */
  withheld?: WithheldNotification[];
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
  let kind: NotificationKind | null = null;
  let deferredBy: string | undefined;

  if (input.kind === 'failure') {
    const f = compactFinding(input.finding);
    next.appliance = f.appliance;
    next.check = f.check;
    next.severity = f.severity;
    next.successes = 0;
    switch (base.state) {
      case 'ok':
      case 'pending': {
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
        if (next.failures >= ctx.policy.failuresBeforePage) {
          next.state = 'alarm';
          next.changedAt = now;
          next.finding = f;
          kind = 'page';
        } else {
          next.state = 'pending';
        }
        break;
      }
      case 'recovering':
      case 'alarm': {
        if (base.state === 'recovering') {
          next.state = 'alarm';
          next.changedAt = now;
        }
        if (base.pagedSeverity === null) {
          // Still open and on-call never heard of it: a maintenance window held the page back.
          kind = 'page';
          if (base.muted !== null) deferredBy = base.muted.reason;
        } else if (severityRank(f.severity) > severityRank(base.pagedSeverity)) {
          kind = 'escalation';
        } else if (base.muted !== null && ctx.mute === undefined) {
          // The mute ended and the alert still fails: tell on-call again (unless acknowledged).
          kind = 'page';
          deferredBy = base.muted.reason;
        } else if (base.state === 'alarm' && reminderDue(base, ctx)) {
          kind = 'reminder';
        }
        if (kind !== null) next.finding = f;
        break;
      }
    }
  } else {
    switch (base.state) {
      case 'ok':
        break;
      case 'pending':
        // Flapped back before the page: nobody was told, so nothing to say.
        resetToOk(next, now, ctx);
        break;
      case 'alarm':
      case 'recovering': {
        next.successes = base.state === 'alarm' ? 1 : base.successes + 1;
        if (next.successes >= ctx.policy.successesBeforeRecovery) {
          // A recovery closes a page on-call holds, so maintenance does not mute it; an
          // incident that was never paged ends silently.
          resetToOk(next, now, ctx);
          if (base.pagedSeverity === null) {
            const by = base.muted !== null ? muteLabel(base.muted) : 'never paged';
            return finish(base, prev, withhold(next, 'recovery', by, now), null, 'recovery', by);
          }
          kind = 'recovery';
        } else if (base.state === 'alarm') {
          next.state = 'recovering';
          next.changedAt = now;
        }
        break;
      }
    }
  }

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

  let notification: AlertNotification | null = null;
  if (kind !== null) {
    notification = buildNotification(base, next, kind, now, ctx.policy, deferredBy);
    next.sequence = base.sequence + 1;
    next.outbox.push({ notification, attempts: 0, lastError: null, leaseUntil: null });
    boundOutbox(next);
    // The new notification may now carry the count of what it stands for.
    const id = notification.notificationId;
    notification =
      next.outbox.find((e) => e.notification.notificationId === id)?.notification ?? notification;
    if (kind !== 'recovery') {
      next.pagedSeverity =
        base.pagedSeverity !== null && severityRank(base.pagedSeverity) > severityRank(notification.severity)
          ? base.pagedSeverity
          : notification.severity;
      next.lastNotifiedAt = now;
    }
  }
  return finish(base, prev, next, notification, null);
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

/** Most evidence/remediation lines kept in a stored alert, and characters per line. */
export const STORED_LINES = { evidence: 40, remediation: 20, chars: 400 } as const;

/**
 * Most UTF-8 bytes of a stored finding's summary, evidence and remediation together. The line caps
 * alone allow 60 × 400 characters, up to 72 KB of three-byte characters, carried once in the
 * finding and once per outbox entry; this cap keeps each copy near 10 KB.
 */
export const STORED_FINDING_BYTES = 10 * 1024;

/** Most undelivered notifications an alert keeps (see boundOutbox). */
export const OUTBOX_MAX = 6;

/** Most characters of an outbox entry's last delivery error. */
export const LAST_ERROR_CHARS = 300;

/** An outbox entry's `lastError`, clipped to LAST_ERROR_CHARS. */
export function lastErrorText(text: string): string {
  return text.length <= LAST_ERROR_CHARS ? text : `${text.slice(0, LAST_ERROR_CHARS - 3)}...`;
}

/**
 * The finding as stored with the alert: evidence and remediation capped, so a huge log excerpt
 * cannot push a record past DynamoDB's 400 KB item limit (and stop the alert from paging).
 */
export function compactFinding(f: Finding): Finding {
  const clipLine = (l: string) =>
    l.length > STORED_LINES.chars ? `${l.slice(0, STORED_LINES.chars - 3)}...` : l;
  if (
    f.evidence.length <= STORED_LINES.evidence &&
    f.remediation.length <= STORED_LINES.remediation &&
    f.summary.length <= STORED_LINES.chars &&
    [...f.evidence, ...f.remediation].every((l) => l.length <= STORED_LINES.chars) &&
    findingBytes(f.summary, f.evidence, f.remediation) <= STORED_FINDING_BYTES
  ) {
    return f;
  }
  const summary = clipLine(f.summary);
  const evidence = f.evidence.slice(0, STORED_LINES.evidence).map(clipLine);
  const remediation = f.remediation.slice(0, STORED_LINES.remediation).map(clipLine);
  const withNote = (kept: string[], total: number) =>
    kept.length < total ? [...kept, `(${total - kept.length} more lines not kept)`] : kept;
  const bytes = () =>
    findingBytes(summary, withNote(evidence, f.evidence.length), withNote(remediation, f.remediation.length));
  // Over the byte budget (long or wide lines): the last evidence lines go first, then remediation.
  while (bytes() > STORED_FINDING_BYTES && evidence.length > 0) evidence.pop();
  while (bytes() > STORED_FINDING_BYTES && remediation.length > 0) remediation.pop();
  return {
    ...f,
    summary,
    evidence: withNote(evidence, f.evidence.length),
    remediation: withNote(remediation, f.remediation.length),
  };
}

function findingBytes(summary: string, evidence: readonly string[], remediation: readonly string[]): number {
  let n = Buffer.byteLength(summary);
  for (const l of evidence) n += Buffer.byteLength(l);
  for (const l of remediation) n += Buffer.byteLength(l);
  return n;
}

/** True when an outbox entry is known undelivered and no cycle is publishing it. */
function droppable(e: OutboxEntry): boolean {
  // A lease still set means a cycle is publishing it, or died doing so (it may have been sent).
  return e.leaseUntil === null && (e.attempts === 0 || e.lastError !== null);
}

/**
 * Keeps the outbox bounded (in place). While the notifier is down a flapping alert queues one
 * incident (a page, maybe an escalation, a recovery) per flap: every older incident that is
 * complete (ends in its recovery) and known undelivered is dropped, so on-call hears of the newest
 * incident only, and its first notification says how many it stands for (`coalesced`). Past
 * OUTBOX_MAX, the oldest undelivered non-recovery entries go too (a recovery that closes a page
 * on-call may hold is never dropped). Every drop is counted in `dropped`.
 */
export function boundOutbox(rec: AlertRecord): void {
  const incidents: OutboxEntry[][] = [];
  for (const e of rec.outbox) {
    const last = incidents[incidents.length - 1];
    if (last !== undefined && last[0]!.notification.since === e.notification.since) last.push(e);
    else incidents.push([e]);
  }
  const dropped: OutboxEntry[] = [];
  while (incidents.length > 1) {
    const oldest = incidents[0]!;
    // Complete (ends in its recovery) and with its page still here: on-call never heard of it.
    const complete =
      oldest[0]!.notification.kind === 'page' && oldest[oldest.length - 1]!.notification.kind === 'recovery';
    if (!complete || !oldest.every(droppable)) break;
    dropped.push(...oldest);
    incidents.shift();
  }
  let kept = incidents.flat();
  while (kept.length > OUTBOX_MAX) {
    const i = kept.findIndex((e) => droppable(e) && e.notification.kind !== 'recovery');
    if (i < 0 || i === kept.length - 1) break;
    dropped.push(kept[i]!);
    kept = [...kept.slice(0, i), ...kept.slice(i + 1)];
  }
  if (dropped.length === 0) return;
  const stood = dropped.reduce((n, e) => n + 1 + (e.notification.coalesced ?? 0), 0);
  // The first kept notification of the newest incident speaks for what was dropped.
  const newest = incidents[incidents.length - 1]![0]!.notification.since;
  const at = kept.findIndex((e) => e.notification.since === newest && droppable(e));
  if (at >= 0) {
    const e = kept[at]!;
    kept[at] = {
      ...e,
      notification: { ...e.notification, coalesced: (e.notification.coalesced ?? 0) + stood },
    };
  }
  rec.outbox = kept;
  rec.dropped = (rec.dropped ?? 0) + dropped.length;
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

function buildNotification(
  base: AlertRecord,
  next: AlertRecord,
  kind: NotificationKind,
  now: string,
  policy: AlertPolicy,
  deferredBy: string | undefined,
): AlertNotification {
  const finding = next.finding ?? base.finding;
  const severity = kind === 'recovery' ? (base.pagedSeverity ?? base.severity ?? 'info') : next.severity!;
  const n: AlertNotification = {
    notificationId: notificationId(base.id, base.sequence + 1),
    kind,
    alertId: base.id,
    appliance: next.appliance,
    check: next.check,
    severity,
    state: kind === 'recovery' ? 'ok' : 'alarm',
    summary: finding?.summary ?? `${base.id} ${kind === 'recovery' ? 'recovered' : 'failing'}`,
    evidence: finding?.evidence ?? [],
    remediation: finding?.remediation ?? [],
    runbookUrl: runbookLink(policy.runbookUrl, finding?.runbook ?? next.check),
    since: (kind === 'recovery' ? base.since : next.since) ?? now,
    at: now,
  };
  if (kind === 'escalation' && base.pagedSeverity !== null) n.previousSeverity = base.pagedSeverity;
  if (deferredBy !== undefined) n.deferredBy = deferredBy;
  return n;
}

/** The runbook link for an anchor: `base#anchor` (an existing fragment in `base` is replaced). */
export function runbookLink(base: string, anchor: string): string {
  const hash = base.indexOf('#');
  return `${hash < 0 ? base : base.slice(0, hash)}#${anchor}`;
}

function sameRecord(a: AlertRecord, b: AlertRecord): boolean {
  return JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
}
