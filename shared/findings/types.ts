/** A finding: one thing wrong (or worth knowing) about one appliance or path, with its proof and fix. */
export type Severity = 'critical' | 'warning' | 'info';

export interface Finding {
  /** `<appliance>/<check>`, or `<esa>-><sma>/<check>` for a path; the alert state key. */
  id: string;
  appliance: string;
  check: string;
  severity: Severity;
  /** One line for a page's subject and an SMS. */
  summary: string;
  /** Facts and raw lines that prove it. */
  evidence: string[];
  /** AsyncOS commands or settings that fix it, in order. */
  remediation: string[];
  /** Anchor in docs/runbook.md (without `#`), e.g. `cpq_listener_refused`. */
  runbook: string;
}
