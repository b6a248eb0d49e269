/** The read-only AsyncOS SSH reader and its parsers. */
export * from './allowlist';
export * from './fingerprint';
export * from './parsers';
export { fetchHostKey, type HostKeyResult, READ_DEFAULTS, type ReaderDeps, readAppliance } from './reader';
export type * from './types';
