/**
 * Keeps an alert record bounded whatever happens: DynamoDB refuses items over 400 KB, and an alert
 * whose record cannot be written can no longer page. The stored finding and every notification are
 * capped in lines, characters and bytes, and the outbox keeps at most OUTBOX_MAX entries. While
 * the notifier is down a flapping alert would queue a page and a recovery per flap; the older,
 * never-delivered incidents are coalesced into the newest one (boundOutbox) and counted
 * (docs/alerts.md#bounded-alert-records).
 */
import type { Finding } from '../findings/types';
import { clip } from '../text';
import { DOCUMENT_LINES, LINE_CHARS } from './document';
import type { AlertRecord, OutboxEntry } from './record';

/**
 * Most evidence/remediation lines kept in a stored alert, and characters per line: no more than
 * the alert document shows (remediation is shorter still).
 */
export const STORED_LINES = { evidence: DOCUMENT_LINES, remediation: 20, chars: LINE_CHARS } as const;

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
  return clip(text, LAST_ERROR_CHARS);
}

/**
 * The finding as stored with the alert: evidence and remediation capped, so a huge log excerpt
 * cannot push a record past DynamoDB's 400 KB item limit (and stop the alert from paging).
 */
export function compactFinding(f: Finding): Finding {
  const clipLine = (l: string) => clip(l, STORED_LINES.chars);
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

/**
 * Most bytes of an alert record as JSON: a margin under DynamoDB's 400 KB item limit (its own size
 * rules count a little differently) that the bounds above never reach; see shrinkRecord.
 */
export const RECORD_MAX_BYTES = 300 * 1024;

/** The record's size as the store writes it (JSON, UTF-8). */
export function recordBytes(rec: AlertRecord): number {
  return Buffer.byteLength(JSON.stringify(rec));
}

/**
 * A smaller copy of a record over RECORD_MAX_BYTES, or of one the store refused as too large: an
 * alert whose record cannot be written can never page or recover again, so a smaller record is
 * always better than none. The outbox keeps the newest notification of each kind (page,
 * escalation, reminder, recovery) and counts the rest (`dropped`, and `coalesced` on the first
 * one kept); the finding and every kept notification are compacted, and if that is still too
 * large their evidence goes, leaving a line that says so.
 */
export function shrinkRecord(rec: AlertRecord): AlertRecord {
  const newest = new Map<string, number>();
  for (const [i, e] of rec.outbox.entries()) newest.set(e.notification.kind, i);
  const keep = new Set(newest.values());
  const dropped = rec.outbox.filter((_, i) => !keep.has(i));
  const stood = dropped.reduce((n, e) => n + 1 + (e.notification.coalesced ?? 0), 0);
  const outbox = rec.outbox
    .filter((_, i) => keep.has(i))
    .map((e, i) => {
      const n = { ...e.notification, ...textOf(e.notification) };
      if (i === 0 && stood > 0) n.coalesced = (n.coalesced ?? 0) + stood;
      return { ...e, notification: n, lastError: e.lastError === null ? null : lastErrorText(e.lastError) };
    });
  const out: AlertRecord = {
    ...rec,
    ...(rec.finding ? { finding: compactFinding(rec.finding) } : {}),
    outbox,
    ...(dropped.length > 0 ? { dropped: (rec.dropped ?? 0) + dropped.length } : {}),
  };
  if (recordBytes(out) <= RECORD_MAX_BYTES) return out;
  const bare = {
    evidence: ['(evidence not kept: the alert record reached its size limit)'],
    remediation: [],
  };
  return {
    ...out,
    ...(out.finding ? { finding: { ...out.finding, ...bare } } : {}),
    outbox: out.outbox.map((e) => ({ ...e, notification: { ...e.notification, ...bare } })),
  };
}

/** A notification's text, compacted as a stored finding is. */
function textOf(n: { summary: string; evidence: string[]; remediation: string[] }) {
  const { summary, evidence, remediation } = compactFinding({
    id: '',
    appliance: '',
    check: '',
    severity: 'info',
    summary: n.summary,
    evidence: n.evidence,
    remediation: n.remediation,
    runbook: '',
  } as Finding);
  return { summary, evidence, remediation };
}
