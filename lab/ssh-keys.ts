/** SSH keys for the lab: host keys and client key pairs ssh2 can read back, and their fingerprints. */
import { timingSafeEqual } from 'node:crypto';
import { type ParsedKey, utils } from 'ssh2';
import { fingerprintOfKeyBlob } from '../shared/asyncos/fingerprint';
import { ConfigError } from '../shared/errors';

/**
 * An ed25519 key pair in OpenSSH text form that ssh2 can read back. ssh2 1.17's generator now and
 * then (about 1 in 150 here) emits a pair its own parser rejects, so a pair is checked and drawn
 * again (bounded) rather than handed out broken.
 */
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) {
      return { privateKey: pair.private, publicKey: pair.public };
    }
  }
  throw new ConfigError('ssh2 could not generate a readable ed25519 key pair in 20 attempts');
}

/** Generates an ed25519 host key (OpenSSH text) and its fingerprint. */
export function generateHostKey(): { privateKey: string; publicKey: string; fingerprint: string } {
  const pair = generateKeyPair();
  return { ...pair, fingerprint: fingerprintOfPublicKey(pair.publicKey) };
}

/** `SHA256:...` of an OpenSSH public or private key text. */
export function fingerprintOfPublicKey(keyText: string): string {
  const parsed = utils.parseKey(keyText);
  if (parsed instanceof Error) throw new ConfigError(`cannot parse key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return fingerprintOfKeyBlob(key.getPublicSSH());
}

/** Parses OpenSSH public keys (`ssh-ed25519 AAAA...`); a key that does not parse is a ConfigError. */
export function parseAuthorizedKeys(keys: readonly string[]): ParsedKey[] {
  return keys.map((k) => {
    const parsed = utils.parseKey(k);
    if (parsed instanceof Error) throw new ConfigError(`authorized key does not parse: ${parsed.message}`);
    return Array.isArray(parsed) ? parsed[0]! : parsed;
  });
}

/** True when a client's offered key (algorithm and public blob) is `key`, compared in constant time. */
export function matchesKey(key: ParsedKey, algo: string, data: Buffer): boolean {
  const blob = key.getPublicSSH();
  return key.type === algo && blob.length === data.length && timingSafeEqual(blob, data);
}
