/**
 * SHA-256 certificate fingerprints: one canonical form (Node's upper-case colon hex) so that pins
 * written by hand (lower case, no colons, stray spaces) compare equal to what a peer presents.
 */
import { createHash } from 'node:crypto';

const HEX64 = /^[0-9A-F]{64}$/;

/** Canonical colon hex (`AB:CD:...`, 32 bytes) of a fingerprint in any case, with or without colons; null if it is not one. */
export function normalizeFingerprint256(input: string): string | null {
  const hex = input.replace(/[\s:]/g, '').toUpperCase();
  if (!HEX64.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

/** True when both strings are the same SHA-256 fingerprint (case and colons ignored); false if either is malformed. */
export function fingerprintsEqual(a: string, b: string): boolean {
  const na = normalizeFingerprint256(a);
  return na !== null && na === normalizeFingerprint256(b);
}

/** True when `fingerprint` equals one of `pins` (malformed pins never match). */
export function matchesPin(fingerprint: string, pins: readonly string[]): boolean {
  const fp = normalizeFingerprint256(fingerprint);
  if (fp === null) return false;
  return pins.some((p) => normalizeFingerprint256(p) === fp);
}

/** SHA-256 fingerprint of a DER-encoded certificate, in Node's colon hex. */
export function fingerprint256OfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}
