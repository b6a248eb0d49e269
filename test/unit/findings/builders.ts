/** Typed observation builders for the findings tests (no parser or probe code involved). */
import type {
  CommandResult,
  MailLogEvent,
  ReadCode,
  ReadResult,
  ShowconfigFacts,
  SslconfigFacts,
  StatusFacts,
  TophostsFacts,
  TophostsRow,
} from '../../../shared/asyncos/types';
import type { Inventory } from '../../../shared/inventory';
import { parseInventory } from '../../../shared/inventory';
import type { ConfigObservation, ListenerObservation } from '../../../shared/observations';
import type {
  CertificateFacts,
  ProbeCode,
  ProbePhase,
  ProbeResult,
  TlsFacts,
} from '../../../shared/probes/types';

export const NOW = new Date('2026-11-27T12:00:00.000Z');
export const AT = NOW.toISOString();

/** Lab-like fleet: one SMA, two clustered ESAs sending to it, thresholds 50/500, growth 3. */
export function inventory(extra: Record<string, unknown> = {}, appliances?: unknown[]): Inventory {
  return parseInventory(
    {
      appliances: appliances ?? [
        { name: 'sma1', role: 'sma', host: '10.0.0.10' },
        { name: 'esa1', role: 'esa', host: '10.0.0.21', cluster: 'c1', quarantine: { sma: 'sma1' } },
        { name: 'esa2', role: 'esa', host: '10.0.0.22', cluster: 'c1', quarantine: { sma: 'sma1' } },
      ],
      ...extra,
    },
    'test',
  );
}

export function certificate(daysRemaining: number): CertificateFacts {
  const to = new Date(NOW.getTime() + daysRemaining * 86_400_000);
  return {
    subject: 'CN=sma1.example.com',
    issuer: 'CN=sma1.example.com',
    subjectAltNames: ['DNS:sma1.example.com'],
    fingerprint256: `${'AB:'.repeat(31)}AB`,
    validFrom: '2025-01-01T00:00:00.000Z',
    validTo: to.toISOString(),
    daysRemaining,
  };
}

export function tls(over: Partial<TlsFacts> = {}): TlsFacts {
  return {
    protocol: 'TLSv1.2',
    cipher: 'ECDHE-RSA-AES256-GCM-SHA384',
    anonymous: false,
    certificate: certificate(300),
    verified: false,
    verifyError: null,
    ...over,
  };
}

const BASE = {
  host: '10.0.0.10',
  port: 7025,
  address: '10.0.0.10',
  startedAt: AT,
  banner: '220 sma1.example.com ESMTP',
  extensions: ['STARTTLS', 'SIZE 10485760'],
  warnings: [],
};

/** A probe that went all the way (status ok, or warning with `warnings`). */
export function okProbe(over: Partial<ProbeResult> = {}): ProbeResult {
  const warnings = (over.warnings ?? []) as ProbeResult['warnings'];
  return {
    ...BASE,
    status: warnings.length > 0 ? 'warning' : 'ok',
    code: 'ok',
    message: 'CPQ listener healthy',
    timings: { connectMs: 1, bannerMs: 2, ehloMs: 1, starttlsMs: 1, tlsMs: 5, totalMs: 11 },
    tls: tls(),
    ...over,
    warnings,
  } as ProbeResult;
}

/** A failed probe with what the probe would have gathered up to `phase`. */
export function failProbe(
  code: Exclude<ProbeCode, 'ok'>,
  phase: ProbePhase,
  over: Partial<ProbeResult> = {},
): ProbeResult {
  const i = ['dns', 'connect', 'banner', 'ehlo', 'starttls', 'tls', 'quit'].indexOf(phase);
  return {
    ...BASE,
    status: 'critical',
    code,
    phase,
    message: `probe failed: ${code}`,
    address: i >= 1 ? BASE.address : null,
    banner: i >= 2 ? BASE.banner : null,
    extensions: i >= 3 ? BASE.extensions : [],
    timings: { connectMs: i >= 1 ? 1 : undefined, totalMs: 3 },
    tls: null,
    ...over,
  } as ProbeResult;
}

export function listenerObs(
  appliance: string,
  probe: ProbeResult,
  over: Partial<ListenerObservation> = {},
): ListenerObservation {
  return {
    kind: 'listener',
    appliance,
    role: appliance.startsWith('sma') ? 'sma' : 'esa',
    at: AT,
    probe,
    ...over,
  };
}

export function cmd<T>(parsed: T, raw = '', code: ReadCode = 'ok'): CommandResult {
  return {
    status: code === 'ok' ? 'ok' : 'warning',
    code,
    message: code,
    parsed: code === 'ok' ? parsed : null,
    raw,
  };
}

export function read(commands: Record<string, CommandResult>, over: Partial<ReadResult> = {}): ReadResult {
  return {
    host: '10.0.0.21',
    port: 22,
    status: 'ok',
    code: 'ok',
    message: 'read 1 command',
    hostKey: `SHA256:${'A'.repeat(43)}`,
    startedAt: AT,
    timings: { connectMs: 4, totalMs: 40 },
    commands,
    ...over,
  };
}

export function configObs(appliance: string, r: ReadResult, at = AT): ConfigObservation {
  return { kind: 'config', appliance, role: appliance.startsWith('sma') ? 'sma' : 'esa', at, read: r };
}

export function status(over: Partial<StatusFacts> = {}): StatusFacts {
  return {
    variant: 'esa',
    systemStatus: 'Online',
    online: true,
    receivingSuspended: false,
    deliverySuspended: false,
    statusAsOf: 'Fri Nov 27 12:00:00 2026 GMT',
    upSince: 'Mon Nov 02 08:00:00 2026 GMT',
    oldestMessage: null,
    counters: {},
    gauges: {},
    activeRecipients: 0,
    workQueue: 0,
    pvoQuarantineMessages: 0,
    services: {},
    ...over,
  };
}

export function row(host: string, active: number, down = false): TophostsRow {
  return {
    rank: 1,
    host,
    down,
    activeRecipients: active,
    connectionsOut: 0,
    deliveredRecipients: 10,
    softBounced: 0,
    hardBounced: 0,
  };
}

export function tophosts(rows: TophostsRow[]): TophostsFacts {
  return {
    statusAsOf: 'Fri Nov 27 12:00:00 2026',
    rows,
    cpqQueue: rows.find((r) => r.host === 'the.cpq.host') ?? null,
    releaseQueue: rows.find((r) => r.host === 'the.cpq.release.host') ?? null,
    unparsedRows: [],
  };
}

export function tophostsRaw(rows: TophostsRow[]): string {
  return [
    'Status as of: Fri Nov 27 12:00:00 2026',
    "Hosts marked with '*' were down as of the last delivery attempt.",
    ...rows.map((r) => `${r.rank} ${r.down ? '*' : ' '}${r.host} ${r.activeRecipients} 0 10 0 0`),
  ].join('\r\n');
}

export function sslconfig(outbound: string, allows: boolean): SslconfigFacts {
  return {
    inbound: { methods: 'TLS v1.2', ciphers: 'ALL:-aNULL' },
    outbound: { methods: 'TLS v1.2', ciphers: outbound },
    outboundAllowsAnonymous: allows,
    anonymousReason: allows ? 'no -aNULL or !aNULL in the list' : null,
  };
}

export function showconfig(over: Partial<ShowconfigFacts> = {}): ShowconfigFacts {
  return {
    hostname: null,
    listeners: [],
    interfaces: [],
    tls: { inbound: { methods: null, ciphers: null }, outbound: { methods: null, ciphers: null } },
    cpq: null,
    cluster: null,
    ...over,
  };
}

export function cpqListener(port: number, relay: { hosts: string[]; networks: string[] } | null) {
  return {
    name: 'cpq_listener',
    protocol: 'CPQ',
    interface: 'Management',
    port,
    listenQueueSize: 50,
    type: 'private',
    relayList: relay,
    rat: [{ address: 'ALL', access: 'ACCEPT' }],
  };
}

let line = 0;
/** A mail_logs event at `time` (HH:MM:SS on the day of NOW). */
export function ev<T extends MailLogEvent['type']>(
  type: T,
  time: string,
  fields: Omit<Extract<MailLogEvent, { type: T }>, 'type' | 'timestamp' | 'raw'> & { raw?: string },
): MailLogEvent {
  line += 1;
  return {
    type,
    timestamp: time === '' ? null : `2026-11-27T${time}.000Z`,
    raw: fields.raw ?? `Fri Nov 27 ${time} 2026 Info: ${type} line ${line}`,
    ...fields,
  } as MailLogEvent;
}

export function grep(events: MailLogEvent[]): CommandResult {
  return cmd({ events, unknownLines: [] }, events.map((e) => e.raw).join('\r\n'));
}
