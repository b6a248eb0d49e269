/**
 * What a cycle learns from its SSH reads for the probes: each appliance's outbound cipher list and
 * the TLS versions its outbound methods enable, which the probes then offer on its behalf (and the
 * cycle memory keeps for the probe cycles that read nothing). Pure: reads in, learned values out.
 */
import type { ReadResult } from '../asyncos/types';
import { fromOutboundTls, type OutboundTlsFacts } from '../findings/outbound-tls';
import type { ConfigObservation } from '../observations';
import { firstFacts } from '../read-view';
import type { TlsVersion } from '../tls/versions';
import { versionsFromMethods } from '../tls/versions';

/** The TLS versions an appliance offers when it delivers. */
export interface VersionRange {
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
}

/** What is known of each appliance's outbound TLS, by appliance name. */
export interface OutboundLearned {
  outboundCiphers: Record<string, string>;
  outboundVersions: Record<string, VersionRange>;
}

/** Longest outbound cipher list taken from a read (AsyncOS lists are a few hundred characters). */
export const CIPHER_LIST_MAX = 2048;
/** What an OpenSSL cipher string is made of: names, `:`/`,`/space separators, `!`/`-`/`+` and `@STRENGTH`-style keywords. */
const CIPHER_LIST = /^[A-Za-z0-9:!+@=_., -]+$/;
/** Longest outbound methods value parsed: a hostile peer's megabyte of text is not parsed or stored. */
const METHODS_MAX = 256;

function outboundFacts(read: ReadResult): OutboundTlsFacts {
  return {
    sslconfig: firstFacts(read, 'sslconfig') ?? undefined,
    showconfig: firstFacts(read, 'showconfig') ?? undefined,
  };
}

/**
 * The outbound cipher list a read showed (sslconfig first, then showconfig), when it looks like
 * one. It is the appliance's own text: it is offered by the next probes and kept in the cycle
 * memory, so an oversized or odd value (a broken or hostile peer) is not learned at all.
 */
export function outboundCiphersOf(read: ReadResult): string | undefined {
  return fromOutboundTls(outboundFacts(read), ({ ciphers }) =>
    typeof ciphers === 'string' && ciphers.length <= CIPHER_LIST_MAX && CIPHER_LIST.test(ciphers)
      ? ciphers
      : undefined,
  );
}

/** The TLS versions the outbound methods a read showed enable (sslconfig first, then showconfig). */
export function outboundVersionsOf(read: ReadResult): VersionRange | undefined {
  return fromOutboundTls(outboundFacts(read), ({ methods }) =>
    typeof methods === 'string' && methods.length <= METHODS_MAX
      ? (versionsFromMethods(methods) ?? undefined)
      : undefined,
  );
}

/**
 * What earlier cycles learned, updated with this cycle's reads of the appliances it owns: a read
 * that showed a usable value replaces the old one; a read that did not keeps it.
 */
export function learnOutbound(
  before: Partial<OutboundLearned>,
  reads: readonly ConfigObservation[],
): OutboundLearned {
  const outboundCiphers = { ...(before.outboundCiphers ?? {}) };
  const outboundVersions = { ...(before.outboundVersions ?? {}) };
  for (const o of reads) {
    const list = outboundCiphersOf(o.read);
    if (list !== undefined) outboundCiphers[o.appliance] = list;
    const versions = outboundVersionsOf(o.read);
    if (versions !== undefined) outboundVersions[o.appliance] = versions;
  }
  return { outboundCiphers, outboundVersions };
}
