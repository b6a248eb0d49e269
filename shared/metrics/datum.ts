/**
 * Our own small metric value type: what the cycle measures, independent of how it is shipped
 * (Embedded Metric Format lines: the Lambda's stdout, or a file for local runs).
 */

/** CloudWatch units used by cpq-monitor (a subset of StandardUnit). */
export type MetricUnit = 'None' | 'Count' | 'Milliseconds';

/** One measurement. Each distinct name + dimension set is one CloudWatch custom metric (billed monthly). */
export interface MetricDatum {
  name: MetricName;
  unit: MetricUnit;
  value: number;
  /** Small and documented (docs/metrics.md): Cycle, Role, Severity; Appliance and Phase only when opted in. */
  dimensions: Record<string, string>;
  /** ISO 8601; every datum of a cycle carries the cycle's time. */
  timestamp: string;
}

/**
 * Fleet metrics: written by default, a fixed set whatever the fleet size. Every shard writes its
 * own part once per cycle interval, so counts add up across shards (statistic Sum).
 */
export const FLEET_METRICS = {
  ListenersDown: 'Count',
  ListenersAnonymousTls: 'Count',
  CertificatesExpiring: 'Count',
  CertificateDaysRemainingMin: 'None',
  SshReadFailures: 'Count',
  SystemsNotOnline: 'Count',
  QueueBacklogs: 'Count',
  QueueActiveRecipientsMax: 'Count',
  PathsDown: 'Count',
  FindingsOpen: 'Count',
  MonitorHeartbeat: 'Count',
  /** Reserved: notifications delivered by an invocation (dimension Cycle); not written yet. */
  PagesSent: 'Count',
  /** Reserved: notifications that still failed (dimension Cycle); not written yet. */
  PagesFailed: 'Count',
} as const satisfies Record<string, MetricUnit>;

/** Per-appliance metrics: written only for appliances that opt in (each one is billed per appliance). */
export const APPLIANCE_METRICS = {
  ListenerUp: 'None',
  TlsCertificatePresent: 'None',
  CertificateDaysRemaining: 'None',
  SystemOnline: 'None',
  CpqQueueActiveRecipients: 'Count',
  ReleaseQueueActiveRecipients: 'Count',
  SshReadSuccess: 'None',
} as const satisfies Record<string, MetricUnit>;

/** Every metric name, with its unit (docs/metrics.md documents each one). */
export const METRICS = {
  ...FLEET_METRICS,
  ...APPLIANCE_METRICS,
  /** Both: with dimension Role (fleet, every successful probe), or Appliance (opted in). */
  HandshakeLatency: 'Milliseconds',
} as const satisfies Record<string, MetricUnit>;

export type MetricName = keyof typeof METRICS;

/** Dimension names (kept few: each combination of values is a billed metric). */
export const DIMENSION = {
  cycle: 'Cycle',
  role: 'Role',
  severity: 'Severity',
  appliance: 'Appliance',
  phase: 'Phase',
} as const;

/** A datum with the unit of its name. */
export function datum(
  name: MetricName,
  value: number,
  dimensions: Record<string, string>,
  timestamp: string,
): MetricDatum {
  return { name, unit: METRICS[name], value, dimensions, timestamp };
}

/** A stable key of name + unit + dimensions (sorted) + timestamp: data with equal keys can be merged. */
export function seriesKey(d: MetricDatum): string {
  const dims = Object.keys(d.dimensions)
    .sort()
    .map((k) => `${k}=${d.dimensions[k]}`)
    .join(',');
  return `${d.name}|${d.unit}|${dims}|${d.timestamp}`;
}
