/**
 * The alert document: the one contract between the cycle, which publishes a notification to the
 * paging topic, and whoever reads it from there (the integration forwarders, HTTPS/Lambda/SQS
 * subscribers). The schema, the type, the schema id and the size caps live here and nowhere else;
 * the formats (`format.ts`), the SNS notifier and the forwarder import them. What the document
 * holds and why unknown fields are refused: docs/alerts.md (The alert document).
 */
import { z } from 'zod';
import type { Severity } from '../findings/types';

/** The `schema` value of every document; a change that old readers cannot read needs a new one. */
export const ALERT_DOCUMENT_SCHEMA = 'cpq-monitor/alert-notification/1';

/** Lines of evidence, and of remediation, a document shows; one more line says how many were left out. */
export const DOCUMENT_LINES = 40;
/** Characters of the summary and of one evidence or remediation line in a document. */
export const LINE_CHARS = 400;
/** SNS accepts subjects shorter than 100 characters (the document's `subject` is that subject). */
export const SUBJECT_MAX = 99;
/** SNS refuses a publish over 256 KiB, message and attributes together. */
export const SNS_MESSAGE_MAX_BYTES = 256 * 1024;
/**
 * Most bytes of the Message the notifier publishes: SNS_MESSAGE_MAX_BYTES less room for the
 * subject and the message attributes. The document is carried five times, escaped twice, so peer
 * text that escapes badly (backslashes, quotes, non-ASCII log lines) could pass the limit with
 * the line caps alone, and the page would be lost.
 */
export const SNS_MESSAGE_BUDGET = SNS_MESSAGE_MAX_BYTES - 16 * 1024;

// Keyed by Severity: the compiler stops here when a severity is added or renamed.
const SEVERITIES: { readonly [S in Severity]: S } = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
};
const severity = z.enum(SEVERITIES);
/** Why a notification is sent. */
const kind = z.enum(['page', 'escalation', 'reminder', 'update', 'recovery']);
const id = z.string().min(1);
/** A line of peer text as the document carries it: printable, within LINE_CHARS. */
const line = z.string().max(LINE_CHARS);
/** DOCUMENT_LINES lines and the note saying how many more were left out. */
const lines = z.array(line).max(DOCUMENT_LINES + 1);

/**
 * One message to on-call, as the alert engine decides it and stores it in the alert's outbox
 * until a notifier confirms it: self-contained, a subscriber needs nothing else to act on it.
 */
export const alertNotificationSchema = z.strictObject({
  /** Unique and stable across retries: `<alert id>#<sequence>`; subscribers can de-duplicate on it. */
  notificationId: id,
  kind,
  /** The finding id (`<appliance>/<check>`) this alert tracks. */
  alertId: id,
  appliance: id,
  check: id,
  severity,
  /** The severity of the previous page, for escalations. */
  previousSeverity: severity.optional(),
  /** `alarm` for pages, escalations and reminders; `ok` for recoveries. */
  state: z.enum(['alarm', 'ok']),
  summary: z.string(),
  evidence: z.array(z.string()),
  remediation: z.array(z.string()),
  /** Full runbook link (base URL + `#anchor`). */
  runbookUrl: z.string(),
  /** When the incident started (first failing cycle), ISO 8601. */
  since: z.string(),
  /** When this notification was decided, ISO 8601. */
  at: z.string(),
  /** Set when the page was held back by a maintenance window that has since ended. */
  deferredBy: z.string().optional(),
  /**
   * Earlier notifications of this alert that were never delivered (the notifier was down while it
   * flapped) and that this one stands for; absent when none.
   */
  coalesced: z.number().int().positive().optional(),
});

/** One message to on-call (what the engine hands to a notifier). */
export type AlertNotification = z.infer<typeof alertNotificationSchema>;
/** Why a notification is sent. */
export type NotificationKind = z.infer<typeof kind>;

/**
 * The document as published: the notification with its summary and lines within the caps, the
 * schema id, and the e-mail subject. Strict: a field this version does not know is refused, not
 * dropped (see parseAlertDocument).
 */
export const alertDocumentSchema = z.strictObject({
  ...alertNotificationSchema.shape,
  schema: z.literal(ALERT_DOCUMENT_SCHEMA),
  summary: line,
  evidence: lines,
  remediation: lines,
  /** Optional for readers: hand-written test pages may leave it out (the formats recompute it). */
  subject: z.string().max(SUBJECT_MAX).optional(),
});

/** The document one notification is published as. */
export type AlertDocument = z.infer<typeof alertDocumentSchema>;

/** What a reader makes of a JSON value that claims to be an alert document. */
export type DocumentReading =
  | { ok: true; notification: AlertNotification }
  /**
   * Not a document of this version. `newer` when the only problem is fields this version does
   * not know: a newer cycle wrote it (a deploy in progress), and reading it again later can help.
   */
  | { ok: false; newer: boolean; reason: string };

/** Reads a parsed JSON value as an alert document, giving back the notification it carries. */
export function readAlertDocument(json: unknown): DocumentReading {
  const doc = alertDocumentSchema.safeParse(json);
  if (doc.success) {
    const { schema: _schema, subject: _subject, ...notification } = doc.data;
    return { ok: true, notification };
  }
  const issues = doc.error.issues;
  const newer = issues.every((i) => i.code === 'unrecognized_keys');
  const detail = issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
    .join('; ');
  return {
    ok: false,
    newer,
    reason: newer
      ? `a ${ALERT_DOCUMENT_SCHEMA} document from a newer version (${detail})`
      : `not a valid ${ALERT_DOCUMENT_SCHEMA} document: ${detail}`,
  };
}
