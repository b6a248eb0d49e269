/**
 * The SSH reader's defaults: the reader and the inventory schema both read them here. A leaf (no
 * imports): the inventory, and through it the probe function, never load the SSH client for them.
 */

/** Defaults of the reader's options (`ReadOptions` in shared/asyncos/types.ts). */
export const READ_DEFAULTS = {
  port: 22,
  timeoutMs: 30_000,
  commandTimeoutMs: 15_000,
  maxOutputBytes: 4 * 1024 * 1024,
} as const;
