/**
 * Acknowledgements (docs/alerts.md#acknowledgements): "I have it" for one alert's current
 * incident. An ack stops re-notification of that incident (reminders, the page again after a
 * silence ends); an escalation above the acknowledged severity still pages and ends the ack; a
 * new incident after the recovery pages as usual. Pure: the clock comes in as an argument.
 */
import { ConfigError } from '../errors';
import { type Severity, severityRank } from '../findings/types';

/** One stored acknowledgement. */
export interface Ack {
  alertId: string;
  /** The `since` of the incident acknowledged: it identifies that incident. */
  since: string;
  /** The worst severity on-call knew of when acknowledging; a worse one still pages. */
  severity: Severity;
  reason: string;
  /** The caller's AWS identity (STS) in AWS, `--author` or the OS user locally. */
  author: string;
  /** When, ISO 8601. */
  at: string;
}

/** The ack as shown in the alert's state. */
export type AckNote = Omit<Ack, 'alertId'>;

/** Most acks kept at once (all in one DynamoDB item; items are limited to 400 KB). */
export const MAX_ACKS = 300;
/** Longest reason and author kept. */
export const ACK_FIELD_MAX = { reason: 500, author: 256 } as const;

/**
 * What an ack is judged against: the incident fields of an alert record (declared here, so that
 * the state machine depends on acks and not the other way round).
 */
export interface Incident {
  /** The alert's state; `ok` has no incident. */
  state: string;
  /** First failing cycle of the incident. */
  since: string | null;
  severity: Severity | null;
  pagedSeverity: Severity | null;
}

/** The worst severity of an open alert: what it fails with now or what was paged. */
export function openSeverity(r: Pick<Incident, 'severity' | 'pagedSeverity'>): Severity | null {
  const a = r.severity;
  const b = r.pagedSeverity;
  if (a === null) return b;
  if (b === null) return a;
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** True when the ack covers the alert's current incident at its current severity. */
export function ackCovers(ack: Ack | undefined, r: Incident): ack is Ack {
  if (ack === undefined || r.state === 'ok' || r.since !== ack.since) return false;
  const sev = openSeverity(r);
  return sev === null || severityRank(sev) <= severityRank(ack.severity);
}

/** True when an ack still concerns an open incident (acks of closed incidents are dropped). */
export function ackCurrent(ack: Ack, r: Incident | undefined): boolean {
  return r !== undefined && ackCovers(ack, r);
}

/** Checks an ack request; returns the trimmed reason and author or throws naming the field. */
export function validateAck(reason: string, author: string): { reason: string; author: string } {
  const rs = reason.trim();
  const au = author.trim();
  if (rs === '') throw new ConfigError('--reason must say why (it is shown to everyone on call)');
  if (rs.length > ACK_FIELD_MAX.reason)
    throw new ConfigError(`--reason is longer than ${ACK_FIELD_MAX.reason} characters`);
  if (au === '' || au.length > ACK_FIELD_MAX.author) {
    throw new ConfigError(`--author must be 1 to ${ACK_FIELD_MAX.author} characters`);
  }
  return { reason: rs, author: au };
}
