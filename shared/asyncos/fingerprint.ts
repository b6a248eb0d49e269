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

/** True when the text is an OpenSSH SHA-256 fingerprint (`SHA256:` and 43 base64 characters). */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text.trim());
}

/** True when `seen` equals one of the pinned fingerprints (exact match: base64 is case-sensitive). */
export function isPinned(seen: string, pins: readonly string[]): boolean {
  return pins.some((p) => p.trim() === seen);
}
