/** AsyncOS `sslconfig` methods → the TLS versions an appliance offers (pure; no sockets). */
import type { TlsVersion } from '../probes/types';

const ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

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
    found.add(m[1] === undefined ? 0 : Number(m[1]));
  }
  if (found.size === 0) return null;
  const sorted = [...found].sort((a, b) => a - b);
  return { minVersion: ORDER[sorted[0]!]!, maxVersion: ORDER[sorted[sorted.length - 1]!]! };
}
