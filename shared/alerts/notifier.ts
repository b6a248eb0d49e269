/**
 * What the alert engine hands to a notifier: one notification per page, escalation, reminder or
 * recovery, self-contained (a subscriber needs nothing else to act on it).
 */
import type { CallOptions } from '../aws/client-config';
import type { Severity } from '../findings/types';

/** Why a notification is sent. */
export type NotificationKind = 'page' | 'escalation' | 'reminder' | 'recovery';

/** One message to on-call. Stored in the alert's outbox until a notifier confirms it. */
export interface AlertNotification {
  /** Unique and stable across retries: `<alert id>#<sequence>`; subscribers can de-duplicate on it. */
  notificationId: string;
  kind: NotificationKind;
  /** The finding id (`<appliance>/<check>`) this alert tracks. */
  alertId: string;
  appliance: string;
  check: string;
  severity: Severity;
  /** The severity of the previous page, for escalations. */
  previousSeverity?: Severity;
  /** `alarm` for pages, escalations and reminders; `ok` for recoveries. */
  state: 'alarm' | 'ok';
  summary: string;
  evidence: string[];
  remediation: string[];
  /** Full runbook link (base URL + `#anchor`). */
  runbookUrl: string;
  /** When the incident started (first failing cycle), ISO 8601. */
  since: string;
  /** When this notification was decided, ISO 8601. */
  at: string;
  /** Set when the page was held back by a maintenance window that has since ended. */
  deferredBy?: string;
  /**
   * Earlier notifications of this alert that were never delivered (the notifier was down while it
   * flapped) and that this one stands for; absent when none.
   */
  coalesced?: number;
}

/** Outcome of one delivery attempt. Never thrown; always returned. */
export type NotifyResult =
  | { ok: true; messageId?: string }
  | { ok: false; code: string; message: string; retryable: boolean };

/** Delivers notifications (SNS in AWS, a text stream for the CLI and demo). */
export interface Notifier {
  /** Delivers one notification; failures are returned, not thrown. */
  notify(notification: AlertNotification, options?: CallOptions): Promise<NotifyResult>;
}
