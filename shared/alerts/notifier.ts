/**
 * What the alert engine hands to a notifier: one notification per page, escalation, reminder or
 * recovery, self-contained (a subscriber needs nothing else to act on it).
 */
import type { CallOptions } from '../aws/client-config';
import type { AlertNotification } from './document';

// The notification's type is derived from the document's schema, so the two cannot drift apart.
export type { AlertNotification, NotificationKind } from './document';

/** Outcome of one delivery attempt. Never thrown; always returned. */
export type NotifyResult =
  | { ok: true; messageId?: string }
  | { ok: false; code: string; message: string; retryable: boolean };

/** Delivers notifications (SNS in AWS, a text stream for the CLI and demo). */
export interface Notifier {
  /** Delivers one notification; failures are returned, not thrown. */
  notify(notification: AlertNotification, options?: CallOptions): Promise<NotifyResult>;
}
