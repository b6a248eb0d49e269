/** Shared builders for the alert tests. */
import type { AlertPolicy } from '../../../shared/alerts/state-machine';
import type { Finding, Severity } from '../../../shared/findings/types';

export const T0 = Date.parse('2026-03-02T10:00:00.000Z');

/** The instant `minutes` after T0. */
export function at(minutes: number): Date {
  return new Date(T0 + minutes * 60_000);
}

export const POLICY: AlertPolicy = {
  failuresBeforePage: 2,
  successesBeforeRecovery: 2,
  reminderMinutes: 0,
  runbookUrl: 'https://wiki.example.com/cpq/runbook',
};

/** A finding of `check` on `appliance`. */
export function finding(
  appliance = 'sma1',
  check = 'cpq_listener_refused',
  severity: Severity = 'critical',
): Finding {
  return {
    id: `${appliance}/${check}`,
    appliance,
    check,
    severity,
    summary: `CPQ listener on ${appliance} refuses connections on port 7025`,
    evidence: ['connect to 10.0.0.5:7025: ECONNREFUSED after 2 ms', 'System status: Receiving Suspended'],
    remediation: ['status', 'resume'],
    runbook: check,
  };
}
