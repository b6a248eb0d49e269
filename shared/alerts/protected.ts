/**
 * Checks no operator can mute, and checks that page on their first failure
 * (docs/alerts.md#protected-checks). A host key that changed may be an attacker in the middle, and
 * unavailable credentials mean the monitor itself is blind on that appliance: no silence hides
 * either, directly, through the intermittent alert that watches it, or through any pattern.
 */
import { checkOf, intermittentOf } from '../findings/ids';

/** Checks a silence never matches. */
export const PROTECTED_CHECKS: readonly string[] = ['ssh_host_key_mismatch', 'ssh_credentials_unavailable'];

/**
 * Checks that page on their first failure whatever `alerting.failuresBeforePage` says: a host key
 * that mismatches every other cycle (the man-in-the-middle case) never fails twice in a row.
 */
export const PAGE_ON_FIRST_FAILURE: readonly string[] = ['ssh_host_key_mismatch'];

/** True when the alert is a protected check, or the intermittent alert of one. */
export function isProtectedAlert(alert: { id: string; check: string }): boolean {
  const watched = intermittentOf(alert.id);
  return [alert.check, checkOf(alert.id), ...(watched !== undefined ? [checkOf(watched)] : [])].some((c) =>
    PROTECTED_CHECKS.includes(c),
  );
}

/** Consecutive failures before `check` pages: 1 for PAGE_ON_FIRST_FAILURE, else the policy's. */
export function failuresBeforePageOf(check: string, failuresBeforePage: number): number {
  return PAGE_ON_FIRST_FAILURE.includes(check) ? 1 : failuresBeforePage;
}
