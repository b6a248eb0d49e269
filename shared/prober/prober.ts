/**
 * The prober seam: every way the monitor looks at an appliance (the CPQ listener probe, the SSH
 * read) is one prober with this shape, and a cycle runs the probers of its kind in the order
 * declared here (docs/architecture.md, "Adding a prober"). Types and constants only: every room
 * may import it.
 */

/** The probers, by the kind of cycle that runs each: it also names their memory part and heartbeat. */
export const PROBER_KINDS = ['probe', 'ssh'] as const;
/** One prober's kind: `probe` (the CPQ listener probe) or `ssh` (the read-only SSH read). */
export type ProberKind = (typeof PROBER_KINDS)[number];
/** What one cycle runs: one prober's kind, or `full` for all of them. */
export type CycleKind = ProberKind | 'full';

/**
 * The order a cycle that runs several probers runs them in: the SSH reads first, because what
 * they show of each appliance's outbound TLS (cipher list, versions) is what the probes offer.
 */
export const PROBER_ORDER: readonly ProberKind[] = ['ssh', 'probe'];

/** Whether a cycle of `cycle` kind runs the prober of `kind`. */
export function cycleRuns(cycle: CycleKind, kind: ProberKind): boolean {
  return cycle === 'full' || cycle === kind;
}

/**
 * One way of looking at one target, as blackbox_exporter's probers are: a target in, one tagged
 * result out. It never throws for the peer's fault (the result carries a `code`), ends within
 * `timeoutMs`, and ends at once when `signal` aborts (the result then says it was interrupted).
 */
export interface Prober<Target, Result> {
  readonly kind: ProberKind;
  run(target: Target, timeoutMs: number, signal?: AbortSignal): Promise<Result>;
}
