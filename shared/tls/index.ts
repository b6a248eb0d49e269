/** Pure TLS helpers (no sockets): certificate facts, fingerprints, cipher and protocol classification, chain checks. */
export * from './certificate';
export * from './ciphers';
export * from './fingerprint';
export * from './verify';
export * from './versions';
