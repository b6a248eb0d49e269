/**
 * Certificate checks on `X509Certificate` objects (no sockets): chain to a CA bundle, name match.
 * The probe verifies here rather than through OpenSSL's handshake-time result because Node, when
 * that result is positive, converts the whole peer chain to plain objects on every connection
 * (about a quarter of a millisecond of CPU each); these checks need no such conversion.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** Why a certificate does not verify, with OpenSSL's / Node's code names where they exist. */
export type VerifyErrorCode =
  | 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  | 'DEPTH_ZERO_SELF_SIGNED_CERT'
  | 'SELF_SIGNED_CERT_IN_CHAIN'
  | 'CERT_SIGNATURE_FAILURE'
  | 'INVALID_CA'
  | 'CERT_HAS_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_CHAIN_TOO_LONG'
  | 'ERR_TLS_CERT_ALTNAME_INVALID';

/** Result of {@link verifyChain}: null error when the chain verifies. */
export interface ChainVerdict {
  error: VerifyErrorCode | null;
  /** One sentence naming the failing certificate, or null. */
  detail: string | null;
}

const bundles = new Map<string, X509Certificate[]>();

/** Every certificate of a PEM bundle (parsed once per distinct bundle text). */
export function parseCaBundle(pem: string | Buffer): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  let certs = bundles.get(text);
  if (!certs) {
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    certs = blocks.map((b) => new X509Certificate(b));
    if (bundles.size >= 16) bundles.delete(bundles.keys().next().value!);
    bundles.set(text, certs);
  }
  return certs;
}

function inDate(cert: X509Certificate, now: number): VerifyErrorCode | null {
  if (now < Date.parse(cert.validFrom)) return 'CERT_NOT_YET_VALID';
  if (now > Date.parse(cert.validTo)) return 'CERT_HAS_EXPIRED';
  return null;
}

function issuerOf(
  cert: X509Certificate,
  candidates: readonly X509Certificate[],
): X509Certificate | undefined {
  return candidates.find((c) => cert.checkIssued(c) && cert.verify(c.publicKey));
}

/**
 * Verifies `leaf` up to a certificate of `cas`, through the `intermediates` the peer sent.
 * Checks signatures, that issuers are CAs, and validity dates (a date error on the leaf is
 * reported last, so a caller can tell "untrusted" from "expired").
 */
export function verifyChain(
  leaf: X509Certificate,
  cas: readonly X509Certificate[],
  intermediates: readonly X509Certificate[] = [],
  now: Date = new Date(),
): ChainVerdict {
  const t = now.getTime();
  const trusted = (c: X509Certificate) => cas.some((ca) => ca.fingerprint256 === c.fingerprint256);
  let cert = leaf;
  let leafDateError: VerifyErrorCode | null = null;
  for (let depth = 0; depth < 10; depth++) {
    const dateError = inDate(cert, t);
    if (depth === 0) leafDateError = dateError;
    else if (dateError)
      return {
        error: dateError,
        detail: `the issuing certificate ${cert.subject.replace(/\n/g, ', ')} is out of date`,
      };
    if (trusted(cert)) return { error: leafDateError, detail: null };
    const anchor = issuerOf(cert, cas);
    if (anchor) {
      if (!anchor.ca)
        return {
          error: 'INVALID_CA',
          detail: `${anchor.subject.replace(/\n/g, ', ')} is not a CA certificate`,
        };
      const anchorDate = inDate(anchor, t);
      if (anchorDate) return { error: anchorDate, detail: 'the CA certificate is out of date' };
      return { error: leafDateError, detail: null };
    }
    const next = issuerOf(
      cert,
      intermediates.filter((c) => c !== cert && c.fingerprint256 !== cert.fingerprint256),
    );
    if (!next) {
      const selfSigned = cert.checkIssued(cert);
      if (depth === 0) {
        return {
          error: selfSigned ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
          detail: `no configured CA issued ${cert.subject.replace(/\n/g, ', ')}`,
        };
      }
      return {
        error: selfSigned ? 'SELF_SIGNED_CERT_IN_CHAIN' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        detail: `the chain ends at ${cert.subject.replace(/\n/g, ', ')}, which no configured CA issued`,
      };
    }
    if (!next.ca)
      return { error: 'INVALID_CA', detail: `${next.subject.replace(/\n/g, ', ')} is not a CA certificate` };
    cert = next;
  }
  return { error: 'CERT_CHAIN_TOO_LONG', detail: 'the chain is longer than 10 certificates' };
}

/** True when the certificate names `host` (DNS name with wildcards as TLS allows, or IP address). */
export function certificateNamesHost(cert: X509Certificate, host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
  return (
    cert.checkHost(name.replace(/\.$/, ''), {
      subject: 'default',
      wildcards: true,
      partialWildcards: false,
    }) !== undefined
  );
}
