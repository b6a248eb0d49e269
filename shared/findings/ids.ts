/**
 * Finding, path and notification ids: built and taken apart here only.
 *
 *   finding       `<appliance>/<check>`          e.g. `sma1/cpq_listener_refused`
 *   path finding  `<from>-><to>/<check>`         e.g. `esa1->sma1/cpq_tls_anonymous`
 *   path          `<from>-><to>`                 `<to>` is the listener's appliance
 *   notification  `<finding id>#<sequence>`      the alert id is the finding id
 *   intermittent  `<subject>/intermittent.<check>`  e.g. `sma1/intermittent.cpq_listener_refused`
 *   monitor-side  `monitor:<kind>:<source>/<check>` e.g. `monitor:env:CPQ_SSH_PASSWORD/ssh_credentials_unavailable`
 *
 * Unambiguous because appliance names are letters, digits, `.`, `_` and `-` (no `/`, no `>`, no
 * `:`) and check names are snake_case. A monitor-side subject names a cause on the monitor's own
 * side shared by several appliances (a credential source); it may hold `/` (a secret name, a key
 * file path) but never a path arrow's meaning, and the check is always after the last `/`.
 */
import type { CheckName } from './types';

const PATH_ARROW = '->';

/** The id of a check on an appliance, or on a path when `path` is given. */
export function findingId(check: CheckName, appliance: string, path?: string): string {
  return `${path ?? appliance}/${check}`;
}

/** `<from>-><to>`. */
export function pathId(from: string, to: string): string {
  return `${from}${PATH_ARROW}${to}`;
}

/** The id of a check on the path from `from` to the listener of `to`. */
export function pathFindingId(check: CheckName, from: string, to: string): string {
  return findingId(check, to, pathId(from, to));
}

const MONITOR_PREFIX = 'monitor:';

/** Where the monitor gets an SSH secret: the subject of the finding that groups its failures. */
export interface CredentialSource {
  kind: 'secret' | 'env' | 'keyfile';
  /** The secret id, the environment variable's name, or the key file path, as the inventory writes it. */
  name: string;
}

/**
 * The subject of a monitor-side credential source: `monitor:<kind>:<name>`. Characters an alert
 * key, a notification id or a message attribute may not hold (spaces, controls) become `_`.
 */
export function credentialSubject(source: CredentialSource): string {
  return `${MONITOR_PREFIX}${source.kind}:${source.name.replace(/[^\x21-\x7e]/g, '_')}`;
}

/** The id of a check about a monitor-side credential source, shared by every appliance that uses it. */
export function credentialFindingId(check: CheckName, source: CredentialSource): string {
  return `${credentialSubject(source)}/${check}`;
}

/** True for a monitor-side subject (`monitor:...`): no appliance, no path. */
export function isMonitorSubject(subject: string): boolean {
  return subject.startsWith(MONITOR_PREFIX);
}

/** A finding id taken apart. */
export interface FindingIdParts {
  /** What precedes the check: an appliance name or a path id. */
  subject: string;
  /** The check name (empty when the id has no `/`). */
  check: string;
  /** Both ends, for a path finding. */
  path?: { from: string; to: string };
}

/** Takes a finding id apart; an id without `/` is all subject. */
export function parseFindingId(id: string): FindingIdParts {
  const slash = id.lastIndexOf('/');
  const subject = slash < 0 ? id : id.slice(0, slash);
  const check = slash < 0 ? '' : id.slice(slash + 1);
  const arrow = isMonitorSubject(subject) ? -1 : subject.indexOf(PATH_ARROW);
  if (arrow === -1) return { subject, check };
  return {
    subject,
    check,
    path: { from: subject.slice(0, arrow), to: subject.slice(arrow + PATH_ARROW.length) },
  };
}

/** The check of a finding id. */
export function checkOf(id: string): string {
  return parseFindingId(id).check;
}

/** The appliances a finding id speaks of: one, or both ends of a path (`<from>-><to>/<check>`). */
export function endsOf(id: string): string[] {
  const { subject, path } = parseFindingId(id);
  return path === undefined ? [subject] : [path.from, path.to];
}

/** The appliance that owns a finding id: `<appliance>/<check>` or `<from>-><to>/<check>` (the listener's). */
export function ownerOf(id: string): string {
  const { subject, path } = parseFindingId(id);
  return path === undefined ? subject : path.to;
}

/** The id of an alert's `sequence`-th notification (from 1): unique per alert, stable across retries. */
export function notificationId(alertId: string, sequence: number): string {
  return `${alertId}#${sequence}`;
}

const INTERMITTENT = 'intermittent';

/** The id of the intermittent alert of a finding id: `<subject>/intermittent.<check>` (same subject, so same owner). */
export function intermittentId(id: string): string {
  const { subject, check } = parseFindingId(id);
  return `${subject}/${INTERMITTENT}.${check}`;
}

/** The finding id an intermittent alert id watches; undefined for any other id. */
export function intermittentOf(id: string): string | undefined {
  const { subject, check } = parseFindingId(id);
  const prefix = `${INTERMITTENT}.`;
  return check.startsWith(prefix) ? `${subject}/${check.slice(prefix.length)}` : undefined;
}
