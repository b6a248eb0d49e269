/** Findings: observations in, findings (with evidence, fix and runbook anchor) and the path view out. */
export { READ_CODE_DECISIONS } from './config-rules';
export { emptyMemory, evaluateFindings, probeFreshnessMs } from './evaluate';
export { SUMMARY_MAX } from './format';
export { LISTENER_CHECKS, LISTENER_DOWN_CHECKS, PROBE_CODE_CHECKS } from './listener-rules';
export { remediationFor } from './remediation';
export * from './types';
