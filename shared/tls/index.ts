/** Pure TLS helpers (no sockets): certificate facts, fingerprints, cipher and protocol classification. */
export * from './certificate';
export * from './ciphers';
export * from './fingerprint';
