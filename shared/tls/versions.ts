/**
 * TLS protocol versions: the one ordered list every part of cpq-monitor uses (probe options, CLI
 * flags, weak-protocol warnings, AsyncOS `sslconfig` methods). Pure; no sockets.
 */

/** Node's names for the TLS versions it can offer (`tls.connect` minVersion/maxVersion), oldest first. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** Node's name for a TLS version, as accepted by `tls.connect`'s minVersion/maxVersion. */
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** The oldest version that is not weak: anything older raises `weak_tls_protocol`. */
export const OLDEST_STRONG_TLS_VERSION: TlsVersion = 'TLSv1.2';

/** True when `text` is one of {@link TLS_VERSIONS}, spelled exactly as Node spells it. */
export function isTlsVersion(text: string): text is TlsVersion {
  return (TLS_VERSIONS as readonly string[]).includes(text);
}

/** Position of a version in {@link TLS_VERSIONS}: larger is newer. */
export function tlsVersionRank(version: TlsVersion): number {
  return TLS_VERSIONS.indexOf(version);
}

/** True for protocols below TLS 1.2, as a peer reports them (`SSLv2`, `SSLv3`, `TLSv1`, `TLSv1.1`; any case). */
export function isWeakTlsProtocol(protocol: string): boolean {
  const name = protocol.trim().toLowerCase();
  if (name === 'sslv2' || name === 'sslv3') return true;
  const version = TLS_VERSIONS.find((v) => v.toLowerCase() === name);
  return version !== undefined && tlsVersionRank(version) < tlsVersionRank(OLDEST_STRONG_TLS_VERSION);
}

/**
 * The version range an AsyncOS methods value enables: `tlsv1/tlsv1.2`, `TLS v1.2`, `sslv3tlsv1`,
 * `TLSv1.1 TLSv1.2`... SSLv3 is ignored (Node cannot offer it). Node takes a range, not a set, so
 * `tlsv1/tlsv1.2` becomes TLSv1 to TLSv1.2 (1.1 offered too: it only widens what can be agreed).
 * Null when no TLS version can be read from the text.
 */
export function versionsFromMethods(
  methods: string,
): { minVersion: TlsVersion; maxVersion: TlsVersion } | null {
  const found = new Set<number>();
  for (const m of methods.matchAll(/tls\s*v?\s*1(?:\.([0-3]))?(?!\.?[0-9])/gi)) {
    // `TLS v1.N` is the (N+1)-th entry of TLS_VERSIONS; a bare `TLS v1` is TLSv1.
    found.add(m[1] === undefined ? 0 : Number(m[1]));
  }
  if (found.size === 0) return null;
  const sorted = [...found].sort((a, b) => a - b);
  return { minVersion: TLS_VERSIONS[sorted[0]!]!, maxVersion: TLS_VERSIONS[sorted[sorted.length - 1]!]! };
}
