/**
 * OpenSSH host key fingerprints. ssh2's `hostVerifier` (with `hostHash: 'sha256'`) hands over the
 * SHA-256 of the key blob as hex; OpenSSH prints the same digest as `SHA256:` + unpadded base64.
 */
import { createHash } from 'node:crypto';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** `SHA256:...` from the hex digest ssh2 passes to hostVerifier. */
export function fingerprintFromHex(hex: string): string {
  return `SHA256:${Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')}`;
}

/** `SHA256:...` of a raw public key blob (the SSH wire format), as `ssh-keygen -lf` prints it. */
export function fingerprintOfKeyBlob(blob: Buffer): string {
  return fingerprintFromHex(createHash('sha256').update(blob).digest('hex'));
}

/** A host key as the operator compares it: OpenSSH's `SHA256:` form, the legacy MD5 form, the key type. */
export interface PresentedHostKey {
  sha256: string;
  /** `MD5:xx:xx:…`, as `ssh-keygen -l -E md5` prints it; older consoles show this form. */
  md5: string;
  /** The algorithm named inside the key blob (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …). */
  type: string;
}

/** Every form of a raw public key blob (the SSH wire format) an operator may compare against. */
export function describeKeyBlob(blob: Buffer): PresentedHostKey {
  const md5 = createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
  // The blob starts with the key type as an SSH string: a 4-byte length, then ASCII.
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type =
    len > 0 && len <= 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
  return {
    sha256: fingerprintOfKeyBlob(blob),
    md5: `MD5:${md5}`,
    type: /^[\x21-\x7e]+$/.test(type) ? type : 'unknown',
  };
}

/** True when the text is an OpenSSH SHA-256 fingerprint (`SHA256:` and 43 base64 characters). */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text.trim());
}

/** True when `seen` equals one of the pinned fingerprints (exact match: base64 is case-sensitive). */
export function isPinned(seen: string, pins: readonly string[]): boolean {
  return pins.some((p) => p.trim() === seen);
}
