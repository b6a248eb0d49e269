/**
 * The cycle's I/O under its deadline: probes and reads run with bounded concurrency, each given
 * the time left; one whose turn comes too late is not started and is listed, never dropped silently.
 * An interrupt (the CLI's Ctrl-C) ends the work in flight at once: its outcome is discarded and
 * listed as interrupted, because a probe or read cut short says nothing about the appliance.
 */
import pLimit from 'p-limit';

const INTERRUPTED = ' (interrupted)';

/** The `skipped` label of work a signal cut off while it ran. */
export function interruptedLabel(label: string): string {
  return `${label}${INTERRUPTED}`;
}

/** True for a `skipped` label of interrupted work (the rest ran out of time or never started). */
export function isInterrupted(skippedLabel: string): boolean {
  return skippedLabel.endsWith(INTERRUPTED);
}

/** Minimum time worth starting a probe or a read with. */
export const MIN_WORK_MS = 1000;

/** Bounds shared by the I/O of one cycle. */
export interface WorkBounds {
  /** Items in flight at once. */
  concurrency: number;
  /** Epoch ms by which the I/O must be done. */
  deadline: number;
  /** Receives the label of every item not started in time, or interrupted (`<label> (interrupted)`). */
  skipped: string[];
  /** Aborted to interrupt the cycle: nothing new starts, and the work in flight is told to end. */
  signal?: AbortSignal;
}

/**
 * Runs `work` on every item, at most `concurrency` at once, handing each the milliseconds left
 * before the deadline and a signal aborted when `bounds.signal` is. An item whose turn comes with
 * less than MIN_WORK_MS left, or after the abort, is skipped: its `label` goes to `skipped` and it
 * has no result. An item whose work settles after the abort has none either, and is listed as
 * `<label> (interrupted)`. Results keep the items' order.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  bounds: WorkBounds,
  label: (item: T) => string,
  work: (item: T, leftMs: number, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(bounds.concurrency);
  // One listener on the caller's signal, whatever the concurrency; each item in flight gets its
  // own signal, so no signal collects more listeners than one item adds (no MaxListeners warning).
  const inFlight = new Set<AbortController>();
  const interrupt = () => {
    for (const c of inFlight) c.abort(bounds.signal?.reason);
  };
  bounds.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const results = await Promise.all(
      items.map((item) =>
        limit(async (): Promise<{ done: R } | undefined> => {
          const left = bounds.deadline - Date.now();
          if (left < MIN_WORK_MS || bounds.signal?.aborted) {
            bounds.skipped.push(label(item));
            return undefined;
          }
          const own = new AbortController();
          inFlight.add(own);
          try {
            const done = await work(item, left, own.signal);
            if (own.signal.aborted) {
              bounds.skipped.push(interruptedLabel(label(item)));
              return undefined;
            }
            return { done };
          } finally {
            inFlight.delete(own);
          }
        }),
      ),
    );
    return results.filter((r): r is { done: R } => r !== undefined).map((r) => r.done);
  } finally {
    bounds.signal?.removeEventListener('abort', interrupt);
  }
}
