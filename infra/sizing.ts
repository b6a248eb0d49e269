/**
 * Memory and timeout of the cycle functions, in ONE place.
 *
 * Sized from `npm run bench -- cycle` (2 cores, Node 20): one full cycle over 500 lab appliances
 * (508 probes + 500 five-command SSH reads, findings, alerts, 4 PutMetricData calls) took 2.8 s
 * wall and 2.5 s CPU at concurrency 16, with the monitor's RSS peaking at 152 MB. A shard is at
 * most `deploy.shardSize` appliances (default 50): a tenth of that work, well under 1 s of CPU.
 * 512 MB leaves room above the ~150 MB a large shard needs and buys Lambda's CPU share for the
 * TLS handshakes and SSH key exchanges, which are CPU-bound; the timeout ends a cycle before the
 * next one of the same shard starts, and the cycle itself stops starting work 5 s before it.
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
