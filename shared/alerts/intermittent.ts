/**
 * The intermittent rule: a check that fails in at least K of the last N cycles that evaluated it,
 * without ever failing `failuresBeforePage` cycles in a row, never pages through its own alert
 * (each run of failures ends before the page). This rule raises one `intermittent` warning for it,
 * `<subject>/intermittent.<check>`, held until the check has passed N cycles in a row.
 *
 * Pure: the windows of the previous cycles, this cycle's findings and checked ids go in; the next
 * windows, the intermittent findings (failing) and the intermittent ids evaluated (passing) come
 * out. The windows travel in the cycle's memory, one set per cycle kind, so the probe and SSH
 * cycles never write the same record. The intermittent alert pages on the cycle the rule raises it
 * and recovers on the cycle it lets go (the engine steps it with thresholds of 1: the rule already
 * counted). docs/alerts.md#intermittent-failures.
 */

import { intermittentId, parseFindingId } from '../findings/ids';
import { remediationFor } from '../findings/remediation';
import type { Finding } from '../findings/types';
import { clip } from '../text';
import { failuresBeforePageOf } from './protected';

/** The `alerting.intermittent` settings of the inventory. */
export interface IntermittentPolicy {
  enabled: boolean;
  /** K: failing cycles within the window that raise the alert. */
  failures: number;
  /** N: cycles in the window; also the passing cycles in a row that end the alert. */
  cycles: number;
}

/** What the rule remembers of one finding id between cycles. */
export interface IntermittentWindow {
  appliance: string;
  check: string;
  /** The path id, for a path finding. */
  path?: string;
  /** The last cycles that evaluated the check, oldest first, at most N: `x` failed, `.` passed. */
  results: string;
  /** What the failures said (the finding's summary, clipped), with counts; at most MAX_CAUSES. */
  causes: Record<string, number>;
  /** Set once the intermittent alert is raised; cleared after N passing cycles in a row. */
  raised: boolean;
}

/** Windows by finding id. */
export type IntermittentMemory = Record<string, IntermittentWindow>;

/** Distinct causes kept per window, and characters per cause: the memory item stays small. */
export const MAX_CAUSES = 3;
const CAUSE_CHARS = 120;
/**
 * Windows kept per cycle kind and shard. The cycle memory is one DynamoDB item (400 KB); a window
 * is under 600 bytes, so this bound keeps the rule's share near 120 KB even when half a shard flaps.
 */
export const MAX_WINDOWS = 200;

/** Input of one step of the rule. */
export interface IntermittentInput {
  prev: IntermittentMemory;
  /** Failing findings this cycle (after ownership filtering). */
  findings: readonly Finding[];
  /** Ids evaluated this cycle (failing or passing). */
  checked: readonly string[];
  policy: IntermittentPolicy;
  /** The alerting policy's consecutive failures before a page. */
  failuresBeforePage: number;
  /** The role of an appliance, for the fix texts. */
  roleOf: (appliance: string) => 'esa' | 'sma';
}

/** Output of one step of the rule. */
export interface IntermittentOutput {
  memory: IntermittentMemory;
  /** The intermittent alerts raised (failing) this cycle. */
  findings: Finding[];
  /** Intermittent alert ids evaluated and not failing this cycle. */
  checked: string[];
}

/** Advances every window the cycle evaluated by one result and says which intermittent alerts fail. */
export function trackIntermittent(input: IntermittentInput): IntermittentOutput {
  const failing = new Map(input.findings.map((f) => [f.id, f]));
  const evaluated = new Set([...input.checked, ...failing.keys()]);
  const memory: IntermittentMemory = {};
  const findings: Finding[] = [];
  const checked: string[] = [];
  const { policy } = input;

  // Windows of ids this cycle did not evaluate are carried over unchanged.
  for (const [id, w] of Object.entries(input.prev)) if (!evaluated.has(id)) memory[id] = w;

  for (const id of [...evaluated].sort()) {
    const f = failing.get(id);
    const prev = input.prev[id];
    if (!policy.enabled) {
      // Switched off: any intermittent alert still open recovers.
      checked.push(intermittentId(id));
      continue;
    }
    if (prev === undefined && f === undefined) {
      checked.push(intermittentId(id));
      continue;
    }
    const w: IntermittentWindow = prev
      ? { ...prev, causes: { ...prev.causes } }
      : { ...whereOf(id, f!), results: '', causes: {}, raised: false };
    w.results = (w.results + (f ? 'x' : '.')).slice(-policy.cycles);
    if (f !== undefined) addCause(w, f.summary);
    const fails = count(w.results, 'x');
    const pageAfter = failuresBeforePageOf(w.check, input.failuresBeforePage);
    if (!w.raised && fails >= policy.failures && longestRun(w.results) < pageAfter) {
      w.raised = true;
    }
    if (w.raised && fails === 0 && w.results.length >= policy.cycles) w.raised = false;
    if (w.raised) {
      findings.push(intermittentFinding(id, w, input));
    } else {
      checked.push(intermittentId(id));
    }
    // A window with no failure left and no alert raised is forgotten: nothing to count from.
    if (w.raised || fails > 0) memory[id] = w;
  }
  return { memory: boundWindows(memory), findings, checked };
}

function whereOf(id: string, f: Finding): Pick<IntermittentWindow, 'appliance' | 'check' | 'path'> {
  const { check } = parseFindingId(id);
  return { appliance: f.appliance, check, ...(f.path !== undefined ? { path: f.path } : {}) };
}

function addCause(w: IntermittentWindow, summary: string): void {
  const cause = clip(summary, CAUSE_CHARS);
  if (w.causes[cause] !== undefined) w.causes[cause] += 1;
  else if (Object.keys(w.causes).length < MAX_CAUSES) w.causes[cause] = 1;
}

function count(results: string, c: string): number {
  let n = 0;
  for (const r of results) if (r === c) n++;
  return n;
}

/** Longest run of failures in the window. */
function longestRun(results: string): number {
  let best = 0;
  let run = 0;
  for (const r of results) {
    run = r === 'x' ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

function intermittentFinding(id: string, w: IntermittentWindow, input: IntermittentInput): Finding {
  const { subject } = parseFindingId(id);
  const fails = count(w.results, 'x');
  const n = w.results.length;
  const summary =
    fails > 0
      ? `${subject}: ${w.check} failed in ${fails} of the last ${n} cycles, never ${input.failuresBeforePage} in a row`
      : `${subject}: ${w.check} failed intermittently; passing for ${trailingPasses(w.results)} cycles (clears at ${input.policy.cycles})`;
  const causes = Object.entries(w.causes)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, times]) => `${times}x ${cause}`);
  return {
    id: intermittentId(id),
    appliance: w.appliance,
    check: 'intermittent',
    severity: 'warning',
    summary,
    evidence: [
      `${w.check} (${id}): ${fails} failing of the last ${n} cycles; alerting pages after ${input.failuresBeforePage} in a row`,
      `cycles, oldest first (x failed, . passed): ${w.results}`,
      ...causes.map((c) => `failure: ${c}`),
    ],
    remediation: remediationFor('intermittent', {
      appliance: w.appliance,
      role: input.roleOf(w.appliance),
      name: w.check,
    }),
    runbook: 'intermittent',
    ...(w.path !== undefined ? { path: w.path } : {}),
  };
}

function trailingPasses(results: string): number {
  let n = 0;
  for (let i = results.length - 1; i >= 0 && results[i] === '.'; i--) n++;
  return n;
}

/** At most MAX_WINDOWS: raised windows first, then those with the most failures. */
function boundWindows(memory: IntermittentMemory): IntermittentMemory {
  const entries = Object.entries(memory);
  if (entries.length <= MAX_WINDOWS) return memory;
  entries.sort(
    ([a, x], [b, y]) =>
      Number(y.raised) - Number(x.raised) ||
      count(y.results, 'x') - count(x.results, 'x') ||
      a.localeCompare(b),
  );
  return Object.fromEntries(entries.slice(0, MAX_WINDOWS));
}
