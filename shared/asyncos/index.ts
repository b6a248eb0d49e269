/** The read-only AsyncOS SSH reader, its registry of commands and their parsers. */
export * from './allowlist';
export * from './commands';
export * from './fingerprint';
export * from './parsers';
export { fetchHostKey, type HostKeyResult, READ_DEFAULTS, type ReaderDeps, readAppliance } from './reader';
export type * from './types';
