/**
 * Observations → metric data for one cycle. Pure: no clock, no I/O. The set is deliberately
 * small (each name + dimension combination is a billed custom metric): per appliance only the
 * `Appliance` dimension, `Phase` only at `detailed`, and fleet-wide findings by `Severity`.
 */
import { firstFacts } from '../asyncos/commands';
import type { TophostsFacts, TophostsRow } from '../asyncos/types';
import type { Finding, Severity } from '../findings/types';
import { type Inventory, queuesFor } from '../inventory';
import type { ConfigObservation, ListenerObservation } from '../observations';
import type { ProbeTimings } from '../probes/types';
import { DIMENSION, datum, type MetricDatum } from './datum';

/** `standard` (the default) or `detailed` (adds per-phase handshake latency). */
export type MetricsDetail = 'standard' | 'detailed';

/** Which scheduled cycle produced the data: the minute probes, the SSH reads, or both (CLI). */
export type CycleKind = 'probe' | 'ssh' | 'full';

/** Inputs of `metricsForCycle`. */
export interface MetricsForCycleInput {
  inventory: Inventory;
  listener: readonly ListenerObservation[];
  config: readonly ConfigObservation[];
  findings: readonly Finding[];
  now: Date;
  detail: MetricsDetail;
  /** Default: `probe` with only probes, `ssh` with only SSH reads, `full` with both. */
  cycle?: CycleKind;
}

/** Probe phases reported as `HandshakeLatency` with a `Phase` dimension at `detailed`. */
export const PHASES = ['connect', 'banner', 'ehlo', 'starttls', 'tls'] as const;
const PHASE_TIMING: Record<(typeof PHASES)[number], keyof ProbeTimings> = {
  connect: 'connectMs',
  banner: 'bannerMs',
  ehlo: 'ehloMs',
  starttls: 'starttlsMs',
  tls: 'tlsMs',
};
const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];

/** The cycle kind implied by which observations a cycle made. */
export function cycleKindOf(listener: readonly unknown[], config: readonly unknown[]): CycleKind {
  if (listener.length > 0 && config.length > 0) return 'full';
  return config.length > 0 ? 'ssh' : 'probe';
}

/** Every metric datum of one cycle (one per observation; sinks merge repeats into Values/Counts). */
export function metricsForCycle(input: MetricsForCycleInput): MetricDatum[] {
  const ts = input.now.toISOString();
  const out: MetricDatum[] = [];
  for (const obs of input.listener) out.push(...listenerMetrics(obs, ts, input.detail));
  for (const obs of input.config) out.push(...configMetrics(obs, ts, input.inventory));

  const cycle = input.cycle ?? cycleKindOf(input.listener, input.config);
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const id of new Set(input.findings.map((f) => f.id))) {
    const worst = input.findings.filter((f) => f.id === id).map((f) => f.severity);
    const sev = SEVERITIES.find((s) => worst.includes(s))!;
    counts[sev]++;
  }
  for (const s of SEVERITIES) {
    out.push(datum('FindingsOpen', counts[s], { [DIMENSION.severity]: s }, ts));
  }
  const beats: Array<'probe' | 'ssh'> = cycle === 'full' ? ['probe', 'ssh'] : [cycle];
  for (const c of beats) out.push(datum('MonitorHeartbeat', 1, { [DIMENSION.cycle]: c }, ts));
  return out;
}

function listenerMetrics(obs: ListenerObservation, ts: string, detail: MetricsDetail): MetricDatum[] {
  const dims = { [DIMENSION.appliance]: obs.appliance };
  const p = obs.probe;
  const up = p.status !== 'critical';
  const out = [datum('ListenerUp', up ? 1 : 0, dims, ts)];
  // Latency only for completed handshakes: a failure's "latency" is a timeout or a refusal,
  // which would drag percentiles around without saying anything ListenerUp does not.
  if (up) {
    out.push(datum('HandshakeLatency', p.timings.totalMs, dims, ts));
    if (detail === 'detailed') {
      for (const phase of PHASES) {
        const ms = p.timings[PHASE_TIMING[phase]];
        if (ms !== undefined) {
          out.push(datum('HandshakeLatency', ms, { ...dims, [DIMENSION.phase]: phase }, ts));
        }
      }
    }
  }
  // Certificate presence is known once TLS was negotiated (or failed for want of a certificate).
  const cert = p.tls?.certificate ?? null;
  if (p.tls !== null || p.code === 'tls_no_certificate') {
    out.push(datum('TlsCertificatePresent', cert !== null ? 1 : 0, dims, ts));
  }
  if (cert !== null) out.push(datum('CertificateDaysRemaining', cert.daysRemaining, dims, ts));
  return out;
}

function configMetrics(obs: ConfigObservation, ts: string, inventory: Inventory): MetricDatum[] {
  const dims = { [DIMENSION.appliance]: obs.appliance };
  const read = obs.read;
  const out = [datum('SshReadSuccess', read.code === 'ok' ? 1 : 0, dims, ts)];
  const status = firstFacts(read, 'status', 'status detail');
  if (status !== null) out.push(datum('SystemOnline', status.online ? 1 : 0, dims, ts));

  const tophosts = firstFacts(read, 'tophosts');
  if (tophosts !== null) {
    const appliance = inventory.appliances.find((a) => a.name === obs.appliance);
    const names = appliance
      ? queuesFor(inventory, appliance)
      : { cpqQueueName: 'the.cpq.host', releaseQueueName: 'the.cpq.release.host' };
    if (obs.role === 'esa') {
      const row = queueRow(tophosts, names.cpqQueueName, tophosts.cpqQueue);
      out.push(datum('CpqQueueActiveRecipients', row?.activeRecipients ?? 0, dims, ts));
    } else {
      const row = queueRow(tophosts, names.releaseQueueName, tophosts.releaseQueue);
      out.push(datum('ReleaseQueueActiveRecipients', row?.activeRecipients ?? 0, dims, ts));
    }
  }
  return out;
}

/** The queue's row: by the configured name first, else what the parser recognised. */
function queueRow(facts: TophostsFacts, name: string, parsed: TophostsRow | null): TophostsRow | null {
  const wanted = name.toLowerCase();
  return facts.rows.find((r) => r.host.toLowerCase() === wanted) ?? parsed;
}
