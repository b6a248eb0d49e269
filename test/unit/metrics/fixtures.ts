/** Builders of observations for the metrics tests. */
import type {
  CommandResult,
  ReadResult,
  StatusFacts,
  TophostsFacts,
  TophostsRow,
} from '../../../shared/asyncos/types';
import { type Inventory, parseInventory } from '../../../shared/inventory';
import type { ConfigObservation, ListenerObservation } from '../../../shared/observations';
import type { ProbeFailure, ProbeOk, ProbeResult } from '../../../shared/probes/types';

export const NOW = new Date('2026-03-02T10:00:00.000Z');
const KEY = `SHA256:${'A'.repeat(43)}`;

/** A small fleet: one SMA, two ESAs (esa2 with a custom CPQ queue name). */
export function inventory(extra: Record<string, unknown> = {}): Inventory {
  return parseInventory(
    {
      appliances: [
        { name: 'sma1', role: 'sma', host: '10.0.0.5', ssh: ssh() },
        { name: 'esa1', role: 'esa', host: '10.0.1.5', quarantine: { sma: 'sma1' }, ssh: ssh() },
        {
          name: 'esa2',
          role: 'esa',
          host: '10.0.1.6',
          quarantine: { sma: 'sma1' },
          ssh: ssh(),
          queues: { cpqQueueName: 'pvo.quarantine.host' },
        },
      ],
      ...extra,
    },
    'test inventory',
  );
}

function ssh() {
  return { user: 'monitor', hostKeys: [KEY], credentials: { passwordEnv: 'CPQ_PW' } };
}

/** A healthy probe (certificate with `days` remaining). */
export function probeOk(over: Partial<ProbeOk> = {}, days = 200): ProbeOk {
  return {
    status: 'ok',
    code: 'ok',
    host: '10.0.0.5',
    port: 7025,
    address: '10.0.0.5',
    startedAt: NOW.toISOString(),
    message: 'CPQ listener answered',
    timings: { connectMs: 2, bannerMs: 5, ehloMs: 1, starttlsMs: 1, tlsMs: 12, totalMs: 22 },
    banner: '220 sma1 ESMTP',
    extensions: ['STARTTLS'],
    tls: {
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-RSA-AES256-GCM-SHA384',
      anonymous: false,
      certificate: {
        subject: 'CN=sma1',
        issuer: 'CN=sma1',
        subjectAltNames: [],
        fingerprint256: 'AA',
        validFrom: '2026-01-01T00:00:00.000Z',
        validTo: '2026-09-18T00:00:00.000Z',
        daysRemaining: days,
      },
      verified: true,
      verifyError: null,
    },
    warnings: [],
    ...over,
  };
}

/** A failed probe. */
export function probeFail(code: ProbeFailure['code'], over: Partial<ProbeFailure> = {}): ProbeFailure {
  return {
    status: 'critical',
    code,
    phase: 'connect',
    host: '10.0.0.5',
    port: 7025,
    address: null,
    startedAt: NOW.toISOString(),
    message: code,
    timings: { connectMs: 1, totalMs: 1 },
    banner: null,
    extensions: [],
    tls: null,
    warnings: [],
    ...over,
  };
}

export function listener(appliance: string, probe: ProbeResult, from?: string): ListenerObservation {
  const role = appliance.startsWith('sma') ? 'sma' : 'esa';
  return { kind: 'listener', appliance, role, at: NOW.toISOString(), probe, ...(from ? { from } : {}) };
}

function cmd<T>(parsed: T | null): CommandResult<T> {
  return { status: 'ok', code: 'ok', message: 'ok', parsed, raw: '' };
}

export function statusFacts(online: boolean): StatusFacts {
  return {
    variant: 'esa',
    systemStatus: online ? 'Online' : 'Receiving Suspended',
    online,
    receivingSuspended: !online,
    deliverySuspended: false,
    statusAsOf: null,
    upSince: null,
    oldestMessage: null,
    counters: {},
    gauges: {},
    activeRecipients: 0,
    workQueue: 0,
    pvoQuarantineMessages: 0,
    services: {},
  };
}

export function row(host: string, active: number): TophostsRow {
  return {
    rank: 1,
    host,
    down: false,
    activeRecipients: active,
    connectionsOut: 0,
    deliveredRecipients: 0,
    softBounced: 0,
    hardBounced: 0,
  };
}

export function tophosts(rows: TophostsRow[]): TophostsFacts {
  return {
    statusAsOf: null,
    rows,
    cpqQueue: rows.find((r) => r.host === 'the.cpq.host') ?? null,
    releaseQueue: rows.find((r) => r.host === 'the.cpq.release.host') ?? null,
    unparsedRows: [],
  };
}

/** An SSH read with the given commands' parsed facts. */
export function config(
  appliance: string,
  commands: Record<string, unknown>,
  code: ReadResult['code'] = 'ok',
): ConfigObservation {
  const role = appliance.startsWith('sma') ? 'sma' : 'esa';
  const read: ReadResult = {
    host: appliance,
    port: 22,
    status: code === 'ok' ? 'ok' : 'critical',
    code,
    message: code,
    hostKey: null,
    startedAt: NOW.toISOString(),
    timings: { totalMs: 100 },
    commands: Object.fromEntries(Object.entries(commands).map(([k, v]) => [k, cmd(v)])),
  };
  return { kind: 'config', appliance, role, at: NOW.toISOString(), read };
}
