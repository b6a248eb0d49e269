/**
 * The CPQ listener probe's defaults: the probe and the inventory schema both read them here, so
 * the port, the time limit and the expiry warning are stated once. A leaf (no imports): the
 * inventory imports it without pulling in sockets.
 */

/** Defaults of the probe's options (`ProbeOptions` in shared/probes/types.ts). */
export const PROBE_DEFAULTS = {
  /** The port of an appliance's `cpq_listener`. */
  port: 7025,
  timeoutMs: 10_000,
  phaseTimeoutMs: 5_000,
  expiryWarnDays: 30,
  maxLineBytes: 4096,
  /** How long the probe waits for the 221 after QUIT; it never changes the verdict. */
  quitTimeoutMs: 1_000,
} as const;
