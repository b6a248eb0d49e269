/**
 * Memory and timeout of the cycle functions, in ONE place.
 *
 * Provisional: the benchmark of a full cycle (issue 4's `npm run bench`, 500 lab appliances) is not
 * ready yet. These defaults are re-sized from its figures (peak RSS → memory with headroom; wall
 * time per shard → whether the timeout below leaves room). Until then: 512 MB (Lambda's CPU share
 * grows with memory, and TLS handshakes / SSH key exchange are CPU-bound) and a timeout that ends a
 * cycle before the next one of the same shard starts.
 */
export const CYCLE_FUNCTION_SIZING = {
  memoryMb: 512,
  /** Seconds kept free between the end of the longest allowed run and the next scheduled start. */
  timeoutMarginSeconds: 10,
  /** Lambda's hard ceiling. */
  maxTimeoutSeconds: 900,
  /** The duration alarm fires when the longest run passes this share of the timeout. */
  durationAlarmShare: 0.8,
} as const;

/** Timeout of a cycle function: its schedule interval minus the margin, capped at Lambda's maximum. */
export function cycleTimeoutSeconds(intervalMinutes: number): number {
  const { timeoutMarginSeconds, maxTimeoutSeconds } = CYCLE_FUNCTION_SIZING;
  return Math.min(maxTimeoutSeconds, intervalMinutes * 60 - timeoutMarginSeconds);
}
