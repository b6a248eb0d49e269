/**
 * An appliance's outbound TLS settings (cipher list and methods) as one SSH read shows them. Two
 * commands show them: `sslconfig`, the command that sets them, and the copy in `showconfig`.
 * Whoever reads them (the cipher rule, the cycle learning what the probes offer) asks
 * sslconfig first and falls back to showconfig, through this one function.
 */
import type { CipherSettings, ShowconfigFacts, SslconfigFacts } from '../asyncos/types';

/** The command an outbound setting was read from. */
export type OutboundTlsSource = 'sslconfig' | 'showconfig';

/** The parsed facts of the two commands that show the outbound TLS settings (either may be missing). */
export interface OutboundTlsFacts {
  sslconfig?: SslconfigFacts | undefined;
  showconfig?: ShowconfigFacts | undefined;
}

/**
 * The first answer `pick` gives for the outbound settings, trying sslconfig's before showconfig's;
 * a source that is missing, or for which `pick` returns undefined, gives way to the next one.
 */
export function fromOutboundTls<T>(
  facts: OutboundTlsFacts,
  pick: (outbound: CipherSettings, source: OutboundTlsSource) => T | undefined,
): T | undefined {
  const sources: Array<[OutboundTlsSource, CipherSettings | undefined]> = [
    ['sslconfig', facts.sslconfig?.outbound],
    ['showconfig', facts.showconfig?.tls.outbound],
  ];
  for (const [source, outbound] of sources) {
    if (outbound === undefined) continue;
    const answer = pick(outbound, source);
    if (answer !== undefined) return answer;
  }
  return undefined;
}
