/**
 * What a CA bundle may hold: certificates only. A bundle exported together with its key (a
 * `cat cert.pem key.pem` or a PKCS#12 export without `-nokeys`) would otherwise ship the key into
 * both functions' bundled inventory; docs/probe.md#ca-bundles.
 */

import { readBoundedFile } from '../bounded-file';

/**
 * Largest CA file read (1 MiB): the whole public-CA bundle a distribution ships, comments
 * included, is about 220 KB. Read through the bounded reader: regular files only.
 */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/** The text of a CA file; throws FileReadError (a device, FIFO, directory, or over the cap). */
export function readCaFile(path: string): string {
  return readBoundedFile(path, MAX_CA_FILE_BYTES);
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Any PEM private key label: PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA/EC/DSA/OPENSSH PRIVATE KEY. */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** True when the text holds a PEM private key block. */
export function holdsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/** Why a CA bundle's text cannot be used (its private key, or no certificate), or undefined. */
export function caBundleProblem(text: string): string | undefined {
  if (holdsPrivateKey(text)) {
    return 'holds a private key: refused (a CA file holds certificates only; keep the key elsewhere)';
  }
  return text.match(CERTIFICATE) === null ? 'holds no PEM certificate' : undefined;
}

/** The CERTIFICATE blocks of a CA bundle, each on its own lines; whatever surrounds them is dropped. */
export function certificateBlocks(text: string): string {
  return (text.match(CERTIFICATE) ?? []).map((b) => `${b}\n`).join('');
}
