/**
 * The per-appliance structured log record: one compact JSON line per observation per cycle (one per
 * appliance; one per peer for a listener probed on several peers' behalf). It is what on-call drills
 * into for one appliance (Logs Insights over the function's log group) without a per-appliance
 * metric; field names are a contract with the dashboard's queries (docs/metrics.md). Pure.
 */
import type { Finding } from '../findings/types';
import type { Inventory } from '../inventory';
import { applianceNamed } from '../inventory/topology';
import type { ConfigObservation, ListenerObservation } from '../observations';
import type { ProberKind } from '../prober/prober';
import type { ProbeTimings } from '../probes/types';
import { firstFacts } from '../read-view';
import { isAnonymous, queueOf } from './from-observations';

/** Fields every record has. */
interface RecordBase {
  /** Always `appliance`: what a query filters on. */
  record: 'appliance';
  /** Version of the record's shape. */
  v: 1;
  /** The cycle's time, ISO 8601. */
  ts: string;
  cycle: ProberKind;
  /** `<index>/<count>` of the scheduled shard (absent in local runs). */
  shard?: string;
  appliance: string;
  role: 'esa' | 'sma';
  /** Checks open for this appliance after this cycle (its own, and paths whose listener it owns). */
  findings: string[];
}

/** One probe of one CPQ listener. */
export interface ProbeApplianceRecord extends RecordBase {
  cycle: 'probe';
  /** The peer whose side the probe played, when probed once per peer. */
  from?: string;
  status: 'ok' | 'warning' | 'critical';
  code: string;
  /** The failing phase (critical probes only). */
  phase?: string;
  /** Milliseconds of the phases reached, and `total`. */
  ms: Partial<Record<'dns' | 'connect' | 'banner' | 'ehlo' | 'starttls' | 'tls' | 'total', number>>;
  /** Negotiated TLS protocol. */
  tls?: string;
  /** Whether the negotiated cipher was anonymous (or no certificate came); absent without TLS. */
  anonymous?: boolean;
  /** Whole days to the certificate's notAfter; negative once expired. */
  certDays?: number;
}

/** One read-only SSH read. */
export interface SshApplianceRecord extends RecordBase {
  cycle: 'ssh';
  /** The read's code: `ok`, or why it failed (docs/ssh.md). */
  sshCode: string;
  sshMs: number;
  /** System status Online, when `status` was parsed. */
  online?: boolean;
  /** Active recipients toward the SMA (ESA), when `tophosts` was parsed. */
  cpqQueue?: number;
  /** Active recipients of released messages (SMA), when `tophosts` was parsed. */
  releaseQueue?: number;
}

export type ApplianceRecord = ProbeApplianceRecord | SshApplianceRecord;

/** Inputs of `applianceRecords`. */
export interface ApplianceRecordsInput {
  inventory: Inventory;
  listener: readonly ListenerObservation[];
  config: readonly ConfigObservation[];
  findings: readonly Finding[];
  now: Date;
  /** The scheduled shard, when there is one. */
  shard?: { index: number; count: number };
}

const PHASE_KEYS: Array<[keyof ProbeTimings, keyof ProbeApplianceRecord['ms']]> = [
  ['dnsMs', 'dns'],
  ['connectMs', 'connect'],
  ['bannerMs', 'banner'],
  ['ehloMs', 'ehlo'],
  ['starttlsMs', 'starttls'],
  ['tlsMs', 'tls'],
  ['totalMs', 'total'],
];

/** One record per observation of the cycle. */
export function applianceRecords(input: ApplianceRecordsInput): ApplianceRecord[] {
  const ts = input.now.toISOString();
  const shard = input.shard === undefined ? {} : { shard: `${input.shard.index}/${input.shard.count}` };
  const open = new Map<string, Set<string>>();
  for (const f of input.findings) {
    // A monitor-side finding (one credential source) shows on every appliance it covers.
    for (const name of f.appliances ?? [f.appliance]) {
      const set = open.get(name) ?? new Set<string>();
      set.add(f.check);
      open.set(name, set);
    }
  }
  const findingsOf = (name: string) => [...(open.get(name) ?? [])].sort();
  const out: ApplianceRecord[] = [];

  for (const o of input.listener) {
    const p = o.probe;
    const ms: ProbeApplianceRecord['ms'] = {};
    for (const [from, to] of PHASE_KEYS) {
      const v = p.timings[from];
      if (v !== undefined) ms[to] = v;
    }
    const cert = p.tls?.certificate ?? null;
    out.push({
      record: 'appliance',
      v: 1,
      ts,
      cycle: 'probe',
      ...shard,
      appliance: o.appliance,
      role: o.role,
      ...(o.from !== undefined ? { from: o.from } : {}),
      status: p.status,
      code: p.code,
      ...(p.status === 'critical' ? { phase: p.phase } : {}),
      ms,
      ...(p.tls ? { tls: p.tls.protocol } : {}),
      ...(p.tls !== null || p.code === 'tls_no_certificate' ? { anonymous: isAnonymous(p) } : {}),
      ...(cert !== null ? { certDays: cert.daysRemaining } : {}),
      findings: findingsOf(o.appliance),
    });
  }

  for (const o of input.config) {
    const status = firstFacts(o.read, 'status', 'status detail');
    const q = queueOf(o, input.inventory, applianceNamed(input.inventory, o.appliance));
    out.push({
      record: 'appliance',
      v: 1,
      ts,
      cycle: 'ssh',
      ...shard,
      appliance: o.appliance,
      role: o.role,
      sshCode: o.read.code,
      sshMs: o.read.timings.totalMs,
      ...(status !== null ? { online: status.online } : {}),
      ...(q !== undefined ? (o.role === 'esa' ? { cpqQueue: q.active } : { releaseQueue: q.active }) : {}),
      findings: findingsOf(o.appliance),
    });
  }
  return out;
}
