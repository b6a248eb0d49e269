/** Pure TLS helpers (no sockets): versions, certificate facts and judgement, fingerprints, cipher classification, chain checks. */
export * from './ca-bundle';
export * from './certificate';
export * from './ciphers';
export * from './fingerprint';
export * from './judgement';
export type * from './types';
export * from './verify';
export * from './versions';
