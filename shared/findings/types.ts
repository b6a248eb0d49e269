/** A finding: one thing wrong (or worth knowing) about one appliance or path, with its proof and fix. */
import type { Inventory } from '../inventory/schema';
import type { ConfigObservation, ListenerObservation } from '../observations';

export type Severity = 'critical' | 'warning' | 'info';

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** The rank of a severity, for comparisons: info 0, warning 1, critical 2 (higher is worse). */
export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

/** The worst of some severities (the first listed among equals); undefined for none. */
export function worstSeverity(severities: Iterable<Severity>): Severity | undefined {
  let worst: Severity | undefined;
  for (const s of severities) if (worst === undefined || SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}

export interface Finding {
  /**
   * `<appliance>/<check>`, `<esa>-><sma>/<check>` for a path, or `monitor:<kind>:<source>/<check>`
   * for a monitor-side cause (ids.ts); the alert state key.
   */
  id: string;
  /**
   * The appliance it is about; for a path finding, the path's receiving end (the listener's
   * owner); `monitor` for a monitor-side cause (see `appliances`).
   */
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
  /**
   * A fingerprint of the cause, for a check whose cause can change while its alert stays open
   * (`ssh_read_incomplete`: which command failed and why). An open alert whose fingerprint
   * changes sends an update (docs/alerts.md).
   */
  cause?: string;
  /** For a path finding: the path id `<from>-><to>` it is about. */
  path?: string;
  /**
   * For a monitor-side finding (`appliance` is `monitor`): every appliance it covers, in
   * inventory order, so per-appliance views (records, the CLI) still show it on each.
   */
  appliances?: string[];
}

/** The checks a probe can raise, in the order their phases run. */
export const LISTENER_CHECKS = [
  'cpq_listener_refused',
  'cpq_listener_unreachable',
  'cpq_banner_invalid',
  'cpq_starttls_unavailable',
  'cpq_tls_failed',
  'cpq_tls_no_encryption',
  'cpq_tls_anonymous',
  'cpq_cert_expired',
  'cpq_cert_not_yet_valid',
  'cpq_cert_expiring',
  'cpq_cert_mismatch',
  'cpq_tls_weak',
] as const;

/** Every check the rules evaluate; each one is a section (anchor) of docs/runbook.md. */
export const CHECKS = [
  ...LISTENER_CHECKS,
  // From the SSH reads.
  'system_not_online',
  'listeners_suspended',
  'cpq_queue_backlog',
  'release_queue_backlog',
  'outbound_ciphers_allow_anonymous',
  'cpq_tls_log_failures',
  'cpq_connection_errors',
  'application_fault',
  'ssh_unreachable',
  'ssh_auth_failed',
  'ssh_host_key_mismatch',
  'ssh_read_incomplete',
  'ssh_credentials_unavailable',
  // Across appliances.
  'cpq_port_mismatch',
  'cpq_relay_denied',
  'cluster_interface_missing',
  // From the alert history: another check failing part of the time (shared/alerts/intermittent.ts).
  'intermittent',
] as const;

export type CheckName = (typeof CHECKS)[number];

/** State of one direction of the CPQ path between an ESA and its SMA. */
export type PathStateName = 'up' | 'down' | 'degraded' | 'unknown';

export interface PathState {
  /** `<from>-><to>`, e.g. `esa1->sma1`. */
  id: string;
  from: string;
  to: string;
  /** `esa_to_sma` carries quarantined mail; `sma_to_esa` carries released mail. */
  direction: 'esa_to_sma' | 'sma_to_esa';
  state: PathStateName;
  /** Ids of the findings that explain a `down` or `degraded` state (empty when `up`/`unknown`). */
  findings: string[];
  /** One line: why the path has this state. */
  reason: string;
}

/** One sample of a queue's active recipients, from `tophosts`. */
export interface QueueSample {
  /** ISO 8601 of the observation. */
  at: string;
  active: number;
}

/** Where the previous mail_logs read of an appliance stopped (appliance clock, as parsed). */
export interface LogCursor {
  /** Newest line timestamp seen (ISO 8601 as the parser gives it). */
  timestamp: string;
  /** How many lines carried exactly that timestamp, so same-second lines are not counted twice. */
  atTimestamp: number;
}

/** Last listener probe outcome of an appliance: which listener-down findings it raised, if any. */
export interface ListenerMemory {
  at: string;
  /** Ids of the critical listener findings of that probe; empty when the listener answered. */
  down: string[];
  /** Path findings of that probe (when probed once per peer), by path id. */
  paths?: Record<string, string[]>;
}

/**
 * What one cycle hands to the next (JSON-serialisable). Every part not touched by a cycle is
 * carried over unchanged, so probe-only and SSH-only cycles can share one memory.
 */
export interface FindingsMemory {
  version: 1;
  /** Queue samples by `<appliance>/<queue name>`, oldest first, at most growthCycles + 1. */
  queues: Record<string, QueueSample[]>;
  /** mail_logs cursor by appliance. */
  logs: Record<string, LogCursor>;
  /** Last probe outcome by appliance. */
  listeners: Record<string, ListenerMemory>;
  /**
   * ESAs whose outbound cipher list allowed anonymous suites at their last SSH read: in cycles
   * without a read, their anonymous-TLS consequences stay folded into that finding.
   */
  anonymousOutbound?: string[];
}

export interface FindingsInput {
  /** Validated inventory, defaults applied. */
  inventory: Inventory;
  now: Date;
  /** This cycle's probes (may be empty in an SSH-only cycle). */
  listener: ListenerObservation[];
  /** This cycle's SSH reads (may be empty in a probe-only cycle). */
  config: ConfigObservation[];
  /** What the previous cycle left; absent on the first cycle. */
  memory?: FindingsMemory;
  /**
   * Appliances read only as context for their peers (another shard owns them): their own
   * monitor-side failures are left to that shard's cycle.
   */
  context?: readonly string[];
  /**
   * Only the paths into these appliances' listeners (a shard's own, which its metrics count);
   * default every path of the inventory. A shard of a large fleet would otherwise judge every
   * path of the fleet on every invocation.
   */
  pathsInto?: ReadonlySet<string>;
}

/** A finding left out because another finding of this cycle (or a fresh probe) explains it. */
export interface ExplainedFinding {
  id: string;
  /** The finding id that explains it (the one that pages). */
  by: string;
}

export interface FindingsOutput {
  /** Sorted by severity (critical first) then id. */
  findings: Finding[];
  /** Every ESA->SMA and SMA->ESA pair of the inventory. */
  paths: PathState[];
  /** Ids of every check evaluated this cycle, firing or not (sorted). */
  checked: string[];
  /** Findings folded into another one (neither in `findings` nor in `checked`). */
  explained: ExplainedFinding[];
  memory: FindingsMemory;
}
