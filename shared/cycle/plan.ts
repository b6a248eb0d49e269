/**
 * What a cycle will do, as data: which listeners to probe with which TLS offer, and which
 * appliances an SSH cycle reads as context (the commands it sends are in read-plan.ts). Pure, so
 * the choices are tested without sockets.
 */
import type { Appliance, Inventory } from '../inventory/schema';
import { tlsFor } from '../inventory/settings';
import { peersOf, smaOf } from '../inventory/topology';
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
