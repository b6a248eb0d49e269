/**
 * Certificate facts from the object Node's `getPeerCertificate()` returns: plain data, no sockets,
 * so expiry and identity rules are unit-tested with hand-made inputs.
 */
import type { X509Certificate } from 'node:crypto';
import { normalizeFingerprint256 } from './fingerprint';
import type { CertificateFacts } from './types';

/** The subset of Node's `tls.PeerCertificate` these helpers read (so tests can pass plain objects). */
export interface PeerCertificateLike {
  subject?: Record<string, string | string[] | undefined> | null;
  issuer?: Record<string, string | string[] | undefined> | null;
  subjectaltname?: string;
  fingerprint256?: string;
  valid_from?: string;
  valid_to?: string;
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** OpenSSL's ASN1_TIME_print form, which Node uses: `Nov  7 20:39:13 2026 GMT`. */
const OPENSSL_TIME = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/;

/** True when Node handed back a real certificate (it returns `{}` when the peer sent none). */
export function hasCertificate(cert: PeerCertificateLike | null | undefined): cert is PeerCertificateLike {
  return (
    cert !== null &&
    cert !== undefined &&
    typeof cert.fingerprint256 === 'string' &&
    cert.fingerprint256 !== ''
  );
}

/** A distinguished name as `CN=mail.example.com, O=Example, C=US`, attributes in the order Node lists them. */
export function formatDistinguishedName(dn: PeerCertificateLike['subject']): string {
  if (!dn) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(dn)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${key}=${v}`);
  }
  return parts.join(', ');
}

/** Node's `subjectaltname` string split into entries as Node prints them (`DNS:a`, `IP Address:127.0.0.1`). */
export function parseSubjectAltNames(subjectaltname: string | undefined): string[] {
  if (!subjectaltname) return [];
  // Node quotes (JSON-style) any value that holds a comma or quote, so a plain split on ", " is wrong.
  const entries: string[] = [];
  const re = /\s*([A-Za-z][A-Za-z ]*):("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/g;
  for (let m = re.exec(subjectaltname); m !== null && m[0] !== ''; m = re.exec(subjectaltname)) {
    const raw = m[2]!;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        value = raw;
      }
    }
    entries.push(`${m[1]}:${value}`);
  }
  return entries;
}

/** Parses the dates Node prints for certificates (`Nov 27 20:39:13 2026 GMT`); null when unreadable. */
export function parseCertificateDate(text: string | undefined): Date | null {
  if (!text) return null;
  const m = OPENSSL_TIME.exec(text.trim());
  if (m) {
    const month = MONTHS.indexOf(m[1]!);
    if (month < 0) return null;
    return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}

/**
 * Whole days from `now` until `validTo`, truncated toward zero: 1.9 days left is 1, expired 1.9
 * days ago is -1 (never -2), and anything under a day either side is 0. The one day-count rule:
 * every certificate day figure (facts, probe messages, findings, metrics, records, pages) is this
 * number; see docs/probe.md.
 */
export function daysRemaining(validTo: Date, now: Date): number {
  const days = Math.trunc((validTo.getTime() - now.getTime()) / DAY_MS);
  return days === 0 ? 0 : days; // no -0 in JSON or messages
}

/**
 * The expiry-warning rule in days: a certificate not yet expired with fewer than `warnDays` whole
 * days left. With truncation this is exactly "expires within `warnDays` × 24 h".
 */
export function expiresWithinDays(days: number, warnDays: number): boolean {
  return days >= 0 && days < warnDays;
}

/** How long until a certificate expires, counted by the same rule: `12 days`, `less than a day`. */
export function expiresIn(days: number): string {
  if (days <= 0) return 'less than a day';
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** How long ago a certificate expired, counted by the same rule: `3 days ago`, `less than a day ago`. */
export function expiredAgo(days: number): string {
  const n = Math.abs(days);
  if (n === 0) return 'less than a day ago';
  return `${n} day${n === 1 ? '' : 's'} ago`;
}

/** The facts a probe reports about a peer certificate, or null when there is none. */
export function certificateFacts(
  cert: PeerCertificateLike | null | undefined,
  now: Date = new Date(),
): CertificateFacts | null {
  if (!hasCertificate(cert)) return null;
  const from = parseCertificateDate(cert.valid_from);
  const to = parseCertificateDate(cert.valid_to);
  return {
    subject: formatDistinguishedName(cert.subject),
    issuer: formatDistinguishedName(cert.issuer),
    subjectAltNames: parseSubjectAltNames(cert.subjectaltname),
    fingerprint256: normalizeFingerprint256(cert.fingerprint256 ?? '') ?? cert.fingerprint256 ?? '',
    validFrom: from ? from.toISOString() : '',
    validTo: to ? to.toISOString() : '',
    daysRemaining: to ? daysRemaining(to, now) : 0,
  };
}

/** Where `now` falls in a certificate's validity window. Unreadable dates count as `valid` (nothing proven). */
export type CertificateValidity = 'valid' | 'expired' | 'not_yet_valid';

/** Validity of certificate facts at `now`. */
export function certificateValidity(facts: CertificateFacts, now: Date = new Date()): CertificateValidity {
  const t = now.getTime();
  const from = Date.parse(facts.validFrom);
  const to = Date.parse(facts.validTo);
  if (!Number.isNaN(from) && t < from) return 'not_yet_valid';
  if (!Number.isNaN(to) && t > to) return 'expired';
  return 'valid';
}

/** True when the certificate expires within `warnDays` days of `now` (and has not expired yet). */
export function isExpiringSoon(facts: CertificateFacts, warnDays: number, now: Date = new Date()): boolean {
  const to = Date.parse(facts.validTo);
  if (Number.isNaN(to) || to < now.getTime()) return false;
  return expiresWithinDays(daysRemaining(new Date(to), now), warnDays);
}

/** Facts from a `crypto.X509Certificate` (what `TLSSocket.getPeerX509Certificate()` returns). */
export function certificateFactsFromX509(cert: X509Certificate, now: Date = new Date()): CertificateFacts {
  const from = parseCertificateDate(cert.validFrom);
  const to = parseCertificateDate(cert.validTo);
  return {
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
    fingerprint256: cert.fingerprint256,
    validFrom: from ? from.toISOString() : '',
    validTo: to ? to.toISOString() : '',
    daysRemaining: to ? daysRemaining(to, now) : 0,
  };
}
