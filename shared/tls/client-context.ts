/**
 * What a TLS client offers in its handshake: the settings a probe really uses, and the
 * secure context built from them. It builds contexts (node:tls's createSecureContext), never a
 * connection: the sockets stay in shared/probes/.
 */
import { createSecureContext, DEFAULT_CIPHERS, DEFAULT_MIN_VERSION, type SecureContext } from 'node:tls';
import { cipherListAllowsAnonymous, cipherListAllowsNoEncryption } from './ciphers';
import { isWeakTlsProtocol, type TlsVersion, tlsVersionRank } from './versions';

/** What a client is asked to offer: a cipher list and TLS versions, each with Node's default. */
export interface TlsOffer {
  ciphers?: string;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/** What the probe offers in the handshake, after defaults and the adjustments below. */
export interface ClientTlsSettings {
  ciphers: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** Why the settings differ from what was asked (for the report), empty when they do not. */
  notes: string[];
}

/**
 * The TLS settings a probe really uses. An appliance's OpenSSL has no security levels, so a list
 * given by the caller gets `@SECLEVEL=0` (OpenSSL 3 otherwise refuses aNULL suites and the SHA-1
 * signatures of TLS < 1.2). aNULL suites do not exist in TLS 1.3, so a list that can negotiate
 * one is capped at TLS 1.2 unless a maximum was asked for: otherwise TLS 1.3 would hide exactly
 * the anonymous-cipher failure the probe exists to show; the same holds for NULL-encryption suites.
 */
export function clientTlsSettings(opts: TlsOffer): ClientTlsSettings {
  const notes: string[] = [];
  let maxVersion: TlsVersion = opts.maxVersion ?? 'TLSv1.3';
  const wantsOldVersions =
    (opts.minVersion !== undefined && isWeakTlsProtocol(opts.minVersion)) ||
    (opts.maxVersion !== undefined && isWeakTlsProtocol(opts.maxVersion));
  let ciphers = opts.ciphers ?? DEFAULT_CIPHERS;
  if ((opts.ciphers !== undefined || wantsOldVersions) && !/@SECLEVEL=/i.test(ciphers)) {
    ciphers = `${ciphers}:@SECLEVEL=0`;
  }
  if (opts.ciphers !== undefined && opts.maxVersion === undefined) {
    const verdict = cipherListAllowsAnonymous(opts.ciphers);
    if (verdict.allowsAnonymous) {
      maxVersion = 'TLSv1.2';
      notes.push(
        `TLS capped at TLSv1.2 because the cipher list can negotiate anonymous suites (${verdict.reason})`,
      );
    } else if (cipherListAllowsNoEncryption(opts.ciphers)) {
      // NULL suites do not exist in TLS 1.3 either: the same cap shows a clear-text session.
      maxVersion = 'TLSv1.2';
      notes.push(
        'TLS capped at TLSv1.2 because the cipher list can negotiate suites without encryption (eNULL)',
      );
    }
  }
  let minVersion: TlsVersion = opts.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion);
  if (opts.minVersion === undefined && tlsVersionRank(minVersion) > tlsVersionRank(maxVersion))
    minVersion = 'TLSv1';
  return { ciphers, minVersion, maxVersion, notes };
}

// Secure contexts are configuration (cipher list, versions), not session state: sharing them
// across probes saves building one per probe, but every probe still does a full handshake (no
// session is ever offered for resumption). The CA bundle is deliberately not in the context: the
// probe verifies the chain itself (verify.ts, judgement.ts).
const contextCache = new Map<string, SecureContext>();
const CONTEXT_CACHE_MAX = 32;

/** The secure context of these settings (cached); throws when OpenSSL refuses them. */
export function secureContextFor(settings: ClientTlsSettings): SecureContext {
  const key = `${settings.ciphers}\0${settings.minVersion}\0${settings.maxVersion}`;
  let ctx = contextCache.get(key);
  if (!ctx) {
    ctx = createSecureContext({
      ciphers: settings.ciphers,
      minVersion: settings.minVersion,
      maxVersion: settings.maxVersion,
    });
    if (contextCache.size >= CONTEXT_CACHE_MAX) contextCache.delete(contextCache.keys().next().value!);
    contextCache.set(key, ctx);
  }
  return ctx;
}
