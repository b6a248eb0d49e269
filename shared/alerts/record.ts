/**
 * The stored state of one alert and what it carries: its incident, its mute or acknowledgement,
 * what they held back, and the outbox of notifications not yet confirmed delivered. The store
 * writes it, the state machine (`state-machine.ts`) advances it, `record-bounds.ts` keeps it small.
 */
import type { Finding, Severity } from '../findings/types';
import type { AckNote } from './acks';
import type { AlertNotification, NotificationKind } from './notifier';

export type AlertState = 'ok' | 'pending' | 'alarm' | 'recovering';

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
  /**
   * The cause fingerprint (Finding.cause) on-call was last told in this incident; a failing
   * finding with another one sends an update. Absent when the check has none.
   */
  cause?: string;
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
