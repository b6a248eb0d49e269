/**
 * Our own small metric value type: what the cycle measures, independent of the sink that ships
 * it (CloudWatch PutMetricData, or Embedded Metric Format lines for local runs).
 */

/** CloudWatch units used by cpq-monitor (a subset of StandardUnit). */
export type MetricUnit = 'None' | 'Count' | 'Milliseconds';

/** One measurement. Each distinct name + dimension set is one CloudWatch custom metric (billed monthly). */
export interface MetricDatum {
  name: MetricName;
  unit: MetricUnit;
  value: number;
  /** Small and documented (docs/metrics.md): Appliance, Phase, Severity, Cycle. */
  dimensions: Record<string, string>;
  /** ISO 8601; every datum of a cycle carries the cycle's time. */
  timestamp: string;
}

/** Every metric name, with its unit (docs/metrics.md documents each one). */
export const METRICS = {
  ListenerUp: 'None',
  HandshakeLatency: 'Milliseconds',
  TlsCertificatePresent: 'None',
  CertificateDaysRemaining: 'None',
  SystemOnline: 'None',
  CpqQueueActiveRecipients: 'Count',
  ReleaseQueueActiveRecipients: 'Count',
  SshReadSuccess: 'None',
  FindingsOpen: 'Count',
  MonitorHeartbeat: 'Count',
} as const satisfies Record<string, MetricUnit>;

export type MetricName = keyof typeof METRICS;

/** Dimension names (kept few: each combination of values is a billed metric). */
export const DIMENSION = {
  appliance: 'Appliance',
  phase: 'Phase',
  severity: 'Severity',
  cycle: 'Cycle',
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
