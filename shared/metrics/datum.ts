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
 * Where a metric is written. `fleet`: by default, a fixed set whatever the fleet size; every shard
 * writes its own part once per cycle interval, so counts add up across shards (statistic Sum).
 * `appliance`: only for appliances that opt in (each one is billed per appliance). `both`: with
 * dimension Role for the fleet, or Appliance when opted in.
 */
export type MetricScope = 'fleet' | 'appliance' | 'both';

/** Every metric: its unit and where it is written (docs/metrics.md documents each one). The one list of names. */
export const METRICS = {
  ListenersDown: { unit: 'Count', scope: 'fleet' },
  ListenersAnonymousTls: { unit: 'Count', scope: 'fleet' },
  CertificatesExpiring: { unit: 'Count', scope: 'fleet' },
  CertificateDaysRemainingMin: { unit: 'None', scope: 'fleet' },
  SshReadFailures: { unit: 'Count', scope: 'fleet' },
  SystemsNotOnline: { unit: 'Count', scope: 'fleet' },
  QueueBacklogs: { unit: 'Count', scope: 'fleet' },
  QueueActiveRecipientsMax: { unit: 'Count', scope: 'fleet' },
  PathsDown: { unit: 'Count', scope: 'fleet' },
  FindingsOpen: { unit: 'Count', scope: 'fleet' },
  MonitorHeartbeat: { unit: 'Count', scope: 'fleet' },
  /** Notifications delivered by an invocation (dimension Cycle), 0 included. */
  PagesSent: { unit: 'Count', scope: 'fleet' },
  /** Notifications that still failed after the SDK's retries (dimension Cycle), 0 included; alarm at ≥ 1. */
  PagesFailed: { unit: 'Count', scope: 'fleet' },
  /** Silences and acks dropped as malformed when a cycle read them (dimension Cycle), 0 included. */
  OperatorEntriesDropped: { unit: 'Count', scope: 'fleet' },
  HandshakeLatency: { unit: 'Milliseconds', scope: 'both' },
  ListenerUp: { unit: 'None', scope: 'appliance' },
  TlsCertificatePresent: { unit: 'None', scope: 'appliance' },
  CertificateDaysRemaining: { unit: 'None', scope: 'appliance' },
  SystemOnline: { unit: 'None', scope: 'appliance' },
  CpqQueueActiveRecipients: { unit: 'Count', scope: 'appliance' },
  ReleaseQueueActiveRecipients: { unit: 'Count', scope: 'appliance' },
  SshReadSuccess: { unit: 'None', scope: 'appliance' },
} as const satisfies Record<string, { unit: MetricUnit; scope: MetricScope }>;

export type MetricName = keyof typeof METRICS;

/** The names written for the fleet by default (what a dashboard may graph whatever the fleet). */
export type FleetMetricName = {
  [N in MetricName]: (typeof METRICS)[N]['scope'] extends 'appliance' ? never : N;
}[MetricName];

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
  return { name, unit: METRICS[name].unit, value, dimensions, timestamp };
}

/** A stable key of name + unit + dimensions (sorted) + timestamp: data with equal keys can be merged. */
export function seriesKey(d: MetricDatum): string {
  const dims = Object.keys(d.dimensions)
    .sort()
    .map((k) => `${k}=${d.dimensions[k]}`)
    .join(',');
  return `${d.name}|${d.unit}|${dims}|${d.timestamp}`;
}
