/**
 * What a cycle will do, as data: which listeners to probe with which TLS offer, and which
 * read-only commands to run on which appliance. Pure, so the choices are tested without sockets.
 */
import { commandLine } from '../asyncos/allowlist';
import type { CommandRequest } from '../asyncos/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { tlsFor } from '../inventory/settings';
import { cpqPortsOf, peersOf, smaOf } from '../inventory/topology';
import type { ProbeOptions } from '../probes/types';
import type { TlsVersion } from '../tls/versions';

/** One probe to make: the listener of `appliance`, playing the side of `from` when set. */
export interface PlannedProbe {
  appliance: Appliance;
  from?: string;
  options: ProbeOptions;
}

/**
 * Probes for the given listeners. A listener is probed once, offering the cipher list its peers
 * offer. When the SSH reads have shown that its peers offer different lists (one ESA still lets
 * anonymous suites through, say), it is probed once per peer, each with that peer's list, so a
 * failure on one path is told apart from a failure of the listener.
 */
export function planProbes(
  inv: Inventory,
  targets: readonly Appliance[],
  opts: {
    outboundCiphers: Record<string, string>;
    /** TLS versions each appliance's outbound methods enable, as read over SSH. */
    outboundVersions?: Record<string, { minVersion: TlsVersion; maxVersion: TlsVersion }>;
    ca: (file: string) => string | undefined;
    timeoutMs: number;
  },
): PlannedProbe[] {
  const planned: PlannedProbe[] = [];
  for (const target of targets) {
    const tls = tlsFor(inv, target);
    const base: ProbeOptions = {
      host: target.host,
      port: target.cpqPort,
      timeoutMs: opts.timeoutMs,
      expiryWarnDays: tls.expiryWarnDays,
      ...(tls.pins !== undefined ? { pins: tls.pins } : {}),
      ...(tls.caPem !== undefined
        ? { ca: tls.caPem }
        : tls.caFile !== undefined
          ? { ca: opts.ca(tls.caFile) }
          : {}),
      ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
      ...(inv.monitor.ehloName !== undefined ? { ehloName: inv.monitor.ehloName } : {}),
    };
    // What each peer offers: what its SSH read showed, else what the inventory says it offers.
    const offers = peersOf(inv, target).map((p) => {
      const learned = opts.outboundVersions?.[p.name];
      return {
        peer: p.name,
        offer: {
          ciphers: opts.outboundCiphers[p.name] ?? tls.ciphers,
          minVersion: learned?.minVersion ?? tls.minVersion,
          maxVersion: learned?.maxVersion ?? tls.maxVersion,
        },
      };
    });
    const fallback = { ciphers: tls.ciphers, minVersion: tls.minVersion, maxVersion: tls.maxVersion };
    const distinct = new Set(offers.map((o) => JSON.stringify(o.offer)));
    if (distinct.size <= 1) {
      planned.push({ appliance: target, options: withOffer(base, offers[0]?.offer ?? fallback) });
      continue;
    }
    for (const o of offers)
      planned.push({ appliance: target, from: o.peer, options: withOffer(base, o.offer) });
  }
  return planned;
}

function withOffer(
  base: ProbeOptions,
  offer: {
    ciphers?: string | undefined;
    minVersion?: TlsVersion | undefined;
    maxVersion?: TlsVersion | undefined;
  },
): ProbeOptions {
  return {
    ...base,
    ...(offer.ciphers !== undefined ? { ciphers: offer.ciphers } : {}),
    ...(offer.minVersion !== undefined ? { minVersion: offer.minVersion } : {}),
    ...(offer.maxVersion !== undefined ? { maxVersion: offer.maxVersion } : {}),
  };
}

/** Whether the reader's allow-list takes `pattern` for a mail_logs grep (it bounds the length). */
function readerAccepts(pattern: string): boolean {
  return commandLine({ name: 'grep', arg: pattern, log: 'mail_logs' }).allowed;
}

/**
 * The mail_logs pattern: CPQ connections (by port), TLS failures, connection errors, quarantine
 * deliveries and application faults. Narrow on purpose: grep reads the whole current log. Within
 * the length the reader accepts: quarantine deliveries are also matched by DCID through the port
 * line, so their own words go first when room runs out, then ports beyond the appliance's own.
 */
export function mailLogPattern(a: Appliance, inv?: Inventory): string {
  const words = [
    'CPQ ICID',
    'TLS failed',
    'TLS was required',
    'Connection Error',
    'pplication (fault|error)',
  ];
  const own = a.cpqPort;
  const others = cpqPortsOf(a, inv).filter((p) => p !== own);
  const build = (ports: number[], extra: string[]) => {
    const all = [own, ...ports].sort((x, y) => x - y);
    const port = all.length === 1 ? `port ${all[0]}` : `port (${all.join('|')})`;
    return [port, ...words, ...extra].join('|');
  };
  const full = build(others, ['Centralized Policy Quarantine']);
  if (readerAccepts(full)) return full;
  let ports = others;
  while (ports.length > 0 && !readerAccepts(build(ports, []))) ports = ports.slice(0, -1);
  return build(ports, []);
}

/** The read-only commands of an SSH cycle for one appliance. */
export function planCommands(a: Appliance, inv?: Inventory): CommandRequest[] {
  return [
    { name: 'status' },
    { name: 'tophosts', arg: 'active_rcpts' },
    { name: 'showconfig' },
    { name: 'sslconfig' },
    { name: 'grep', arg: mailLogPattern(a, inv), log: 'mail_logs' },
  ];
}

/**
 * The appliances an SSH cycle reads besides its own shard: the SMAs its ESAs send to, so the
 * rules across appliances (port mismatch, RELAYLIST) can run when a shard holds the ESA only.
 * Their own checks are left to the shard that owns them.
 */
export function contextAppliances(inv: Inventory, primary: readonly Appliance[]): Appliance[] {
  const names = new Set(primary.map((a) => a.name));
  const out = new Map<string, Appliance>();
  for (const a of primary) {
    const sma = smaOf(inv, a);
    if (sma === undefined || names.has(sma.name) || sma.ssh === undefined) continue;
    out.set(sma.name, sma);
  }
  return [...out.values()];
}
