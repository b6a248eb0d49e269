/**
 * Observations → metric data for one cycle. Pure: no clock, no I/O.
 *
 * By default only the fleet metrics: a fixed set (dimensions Cycle, Role, Severity) whose count does
 * not grow with the fleet, each shard writing its own part so that sums across shards are fleet
 * totals. Per-appliance metrics (dimension Appliance, billed per appliance) only for appliances that
 * opt in (`applianceMetrics`). docs/metrics.md documents every name, dimension and price.
 */
import type { TophostsFacts, TophostsRow } from '../asyncos/types';
import { type Finding, LISTENER_CHECKS, type PathState, type Severity } from '../findings/types';
import { type Appliance, DEFAULTS, type Inventory, queuesFor, tlsFor } from '../inventory';
import { applianceNamed } from '../inventory/topology';
import type { ConfigObservation, ListenerObservation } from '../observations';
import { type CycleKind, PROBER_KINDS, type ProberKind } from '../prober/prober';
import type { ProbeResult, ProbeTimings } from '../probes/types';
import { firstFacts } from '../read-view';
import { DIMENSION, datum, type MetricDatum } from './datum';

/** `standard` (the default) or `detailed` (opted-in appliances get per-phase handshake latency too). */
export type MetricsDetail = 'standard' | 'detailed';

type Role = 'esa' | 'sma';

/** Inputs of `metricsForCycle`. */
export interface MetricsForCycleInput {
  inventory: Inventory;
  /** This invocation's probes (of the appliances it owns). */
  listener: readonly ListenerObservation[];
  /** This invocation's SSH reads of the appliances it owns (context reads left out). */
  config: readonly ConfigObservation[];
  findings: readonly Finding[];
  /** The path view; a path counts where its receiving end (`to`) is owned. */
  paths?: readonly PathState[];
  /** Appliances this invocation owns; default the appliances observed. */
  owned?: readonly string[];
  now: Date;
  /** Default: `probe` with only probes, `ssh` with only SSH reads, `full` with both. */
  cycle?: CycleKind;
  /**
   * Notifications the alert stage delivered and failed to deliver (after the SDK's retries): the
   * `PagesSent`/`PagesFailed` metrics, 0 included. A `full` cycle counts them under `probe`.
   */
  pages?: { sent: number; failed: number };
  /** Operator entries (silences, acks) dropped as malformed on read: `OperatorEntriesDropped`. */
  operatorEntriesDropped?: number;
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
const ROLES: Role[] = ['esa', 'sma'];
const PROBE_CHECKS = new Set<string>(LISTENER_CHECKS);

/** The cycle kind implied by which observations a cycle made. */
export function cycleKindOf(listener: readonly unknown[], config: readonly unknown[]): CycleKind {
  if (listener.length > 0 && config.length > 0) return 'full';
  return config.length > 0 ? 'ssh' : 'probe';
}

/** Whether an appliance gets per-appliance metrics: its own switch, else the fleet's. */
export function applianceMetricsOn(
  inv: Inventory,
  a: Pick<Appliance, 'applianceMetrics'> | undefined,
): boolean {
  return a?.applianceMetrics ?? inv.monitor.applianceMetrics;
}

/** Every metric datum of one cycle: the fleet set, plus per-appliance data of opted-in appliances. */
export function metricsForCycle(input: MetricsForCycleInput): MetricDatum[] {
  const ts = input.now.toISOString();
  const inv = input.inventory;
  const cycle = input.cycle ?? cycleKindOf(input.listener, input.config);
  const beats: ProberKind[] = cycle === 'full' ? [...PROBER_KINDS] : [cycle];
  const out: MetricDatum[] = [];

  if (input.listener.length > 0) out.push(...fleetProbeMetrics(input.listener, inv, ts));
  if (input.config.length > 0) out.push(...fleetSshMetrics(input.config, inv, ts));

  const owned = new Set(
    input.owned ?? [...input.listener.map((o) => o.appliance), ...input.config.map((o) => o.appliance)],
  );
  const pathsDown = (input.paths ?? []).filter((p) => p.state === 'down' && owned.has(p.to)).length;
  for (const c of beats) out.push(datum('PathsDown', pathsDown, { [DIMENSION.cycle]: c }, ts));

  // Each finding id once, at its worst severity, under the cycle that raises its check: a shard's
  // probe and SSH invocations then never count the same finding twice.
  const worst = new Map<string, Finding>();
  for (const f of input.findings) {
    const seen = worst.get(f.id);
    if (seen === undefined || SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(seen.severity)) {
      worst.set(f.id, f);
    }
  }
  for (const c of beats) {
    const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
    for (const f of worst.values()) if (cycle !== 'full' || cycleOfCheck(f.check) === c) counts[f.severity]++;
    for (const s of SEVERITIES) {
      out.push(datum('FindingsOpen', counts[s], { [DIMENSION.cycle]: c, [DIMENSION.severity]: s }, ts));
    }
    out.push(datum('MonitorHeartbeat', 1, { [DIMENSION.cycle]: c }, ts));
  }
  if (input.pages !== undefined) {
    // The alert stage runs once per invocation: its counts go under one cycle, so Sum adds up.
    const c = beats[0]!;
    out.push(datum('PagesSent', input.pages.sent, { [DIMENSION.cycle]: c }, ts));
    out.push(datum('PagesFailed', input.pages.failed, { [DIMENSION.cycle]: c }, ts));
  }
  if (input.operatorEntriesDropped !== undefined) {
    // Read once per invocation, like the alert stage's counts.
    const dropped = input.operatorEntriesDropped;
    out.push(datum('OperatorEntriesDropped', dropped, { [DIMENSION.cycle]: beats[0]! }, ts));
  }

  for (const obs of input.listener) {
    if (applianceMetricsOn(inv, applianceNamed(inv, obs.appliance)))
      out.push(...listenerMetrics(obs, ts, inv));
  }
  for (const obs of input.config) {
    if (applianceMetricsOn(inv, applianceNamed(inv, obs.appliance))) out.push(...configMetrics(obs, ts, inv));
  }
  return out;
}

/** The scheduled cycle that evaluates a check: the probe checks, or everything the reads feed. */
export function cycleOfCheck(check: string): ProberKind {
  return PROBE_CHECKS.has(check) ? 'probe' : 'ssh';
}

/** True when a probe saw an anonymous (aNULL) session or no certificate: the CPQ cipher problem. */
export function isAnonymous(p: ProbeResult): boolean {
  return p.tls?.anonymous === true || p.code === 'tls_no_certificate';
}

function groupBy<T extends { appliance: string; role: Role }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const o of items) {
    const list = m.get(o.appliance);
    if (list) list.push(o);
    else m.set(o.appliance, [o]);
  }
  return m;
}

function rolesOf(items: readonly { role: Role }[]): Role[] {
  return ROLES.filter((r) => items.some((o) => o.role === r));
}

function fleetProbeMetrics(
  listener: readonly ListenerObservation[],
  inv: Inventory,
  ts: string,
): MetricDatum[] {
  const out: MetricDatum[] = [];
  const byAppliance = groupBy(listener);
  for (const role of rolesOf(listener)) {
    const dims = { [DIMENSION.role]: role };
    let down = 0;
    let anonymous = 0;
    let expiring = 0;
    let minDays: number | undefined;
    const latencies: number[] = [];
    for (const [name, probes] of byAppliance) {
      if (probes[0]!.role !== role) continue;
      if (probes.some((o) => o.probe.status === 'critical')) down++;
      if (probes.some((o) => isAnonymous(o.probe))) anonymous++;
      const days = probes
        .map((o) => o.probe.tls?.certificate?.daysRemaining)
        .filter((d): d is number => d !== undefined);
      const a = applianceNamed(inv, name);
      const warnDays = a
        ? tlsFor(inv, a).expiryWarnDays
        : (inv.tls.expiryWarnDays ?? DEFAULTS.expiryWarnDays);
      const soonest = days.length > 0 ? Math.min(...days) : undefined;
      if (soonest !== undefined) minDays = minDays === undefined ? soonest : Math.min(minDays, soonest);
      if (
        (soonest !== undefined && soonest <= warnDays) ||
        probes.some((o) => o.probe.code === 'cert_expired')
      ) {
        expiring++;
      }
      for (const o of probes) if (o.probe.status !== 'critical') latencies.push(o.probe.timings.totalMs);
    }
    out.push(datum('ListenersDown', down, dims, ts));
    out.push(datum('ListenersAnonymousTls', anonymous, dims, ts));
    out.push(datum('CertificatesExpiring', expiring, dims, ts));
    if (minDays !== undefined) out.push(datum('CertificateDaysRemainingMin', minDays, dims, ts));
    for (const ms of latencies) out.push(datum('HandshakeLatency', ms, dims, ts));
  }
  return out;
}

function fleetSshMetrics(config: readonly ConfigObservation[], inv: Inventory, ts: string): MetricDatum[] {
  const out: MetricDatum[] = [];
  for (const role of rolesOf(config)) {
    const dims = { [DIMENSION.role]: role };
    let failures = 0;
    let notOnline = 0;
    let backlogs = 0;
    let maxQueue: number | undefined;
    for (const o of config) {
      if (o.role !== role) continue;
      if (o.read.code !== 'ok') failures++;
      const status = firstFacts(o.read, 'status', 'status detail');
      if (status !== null && !status.online) notOnline++;
      const q = queueOf(o, inv, applianceNamed(inv, o.appliance));
      if (q !== undefined) {
        maxQueue = Math.max(maxQueue ?? 0, q.active);
        if (q.active >= q.warning) backlogs++;
      }
    }
    out.push(datum('SshReadFailures', failures, dims, ts));
    out.push(datum('SystemsNotOnline', notOnline, dims, ts));
    out.push(datum('QueueBacklogs', backlogs, dims, ts));
    if (maxQueue !== undefined) out.push(datum('QueueActiveRecipientsMax', maxQueue, dims, ts));
  }
  return out;
}

/**
 * The active recipients of the queue that matters for the appliance's role (an ESA's queue toward
 * its SMA, an SMA's queue of released messages) and its warning threshold, when `tophosts` was read.
 * A queue `tophosts` does not list is empty.
 */
export function queueOf(
  obs: ConfigObservation,
  inv: Inventory,
  appliance: Appliance | undefined,
): { active: number; warning: number } | undefined {
  const tophosts = firstFacts(obs.read, 'tophosts');
  if (tophosts === null) return undefined;
  const names = appliance
    ? queuesFor(inv, appliance)
    : { cpqQueueName: 'the.cpq.host', releaseQueueName: 'the.cpq.release.host', warning: Infinity };
  const row =
    obs.role === 'esa'
      ? queueRow(tophosts, names.cpqQueueName, tophosts.cpqQueue)
      : queueRow(tophosts, names.releaseQueueName, tophosts.releaseQueue);
  return { active: row?.activeRecipients ?? 0, warning: names.warning };
}

function listenerMetrics(obs: ListenerObservation, ts: string, inv: Inventory): MetricDatum[] {
  const dims = { [DIMENSION.appliance]: obs.appliance };
  const p = obs.probe;
  const up = p.status !== 'critical';
  const out = [datum('ListenerUp', up ? 1 : 0, dims, ts)];
  // Latency only for completed handshakes: a failure's "latency" is a timeout or a refusal,
  // which would drag percentiles around without saying anything ListenerUp does not.
  if (up) {
    out.push(datum('HandshakeLatency', p.timings.totalMs, dims, ts));
    if (inv.monitor.metricsDetail === 'detailed') {
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

function configMetrics(obs: ConfigObservation, ts: string, inv: Inventory): MetricDatum[] {
  const dims = { [DIMENSION.appliance]: obs.appliance };
  const read = obs.read;
  const out = [datum('SshReadSuccess', read.code === 'ok' ? 1 : 0, dims, ts)];
  const status = firstFacts(read, 'status', 'status detail');
  if (status !== null) out.push(datum('SystemOnline', status.online ? 1 : 0, dims, ts));
  const q = queueOf(obs, inv, applianceNamed(inv, obs.appliance));
  if (q !== undefined) {
    const name = obs.role === 'esa' ? 'CpqQueueActiveRecipients' : 'ReleaseQueueActiveRecipients';
    out.push(datum(name, q.active, dims, ts));
  }
  return out;
}

/** The queue's row: by the configured name first, else what the parser recognised. */
function queueRow(facts: TophostsFacts, name: string, parsed: TophostsRow | null): TophostsRow | null {
  const wanted = name.toLowerCase();
  return facts.rows.find((r) => r.host.toLowerCase() === wanted) ?? parsed;
}
