/**
 * Builds the notification one alert transition sends: a self-contained message (what, where,
 * since when, evidence, fix, runbook link) from the alert's record before and after the step.
 */
import { notificationId } from '../findings/ids';
import type { AlertNotification, NotificationKind } from './notifier';
import type { AlertRecord } from './record';
import { runbookLink } from './runbook-link';

/** The notification of a transition: the finding as of `next` (or `base`), numbered after `base`. */
export function buildNotification(
  base: AlertRecord,
  next: AlertRecord,
  kind: NotificationKind,
  now: string,
  runbookUrl: string,
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
    summary:
      kind === 'update'
        ? `cause changed: ${finding?.summary ?? base.id}`
        : (finding?.summary ?? `${base.id} ${kind === 'recovery' ? 'recovered' : 'failing'}`),
    evidence: finding?.evidence ?? [],
    remediation: finding?.remediation ?? [],
    runbookUrl: runbookLink(runbookUrl, finding?.runbook ?? next.check),
    since: (kind === 'recovery' ? base.since : next.since) ?? now,
    at: now,
  };
  if (kind === 'escalation' && base.pagedSeverity !== null) n.previousSeverity = base.pagedSeverity;
  if (deferredBy !== undefined) n.deferredBy = deferredBy;
  return n;
}
