/**
 * The cycle's I/O under its deadline: probes and reads run with bounded concurrency, each given
 * the time left; one whose turn comes too late is not started and is listed, never dropped silently.
 */
import pLimit from 'p-limit';

/** Minimum time worth starting a probe or a read with. */
export const MIN_WORK_MS = 1000;

/** Bounds shared by the I/O of one cycle. */
export interface WorkBounds {
  /** Items in flight at once. */
  concurrency: number;
  /** Epoch ms by which the I/O must be done. */
  deadline: number;
  /** Receives the label of every item not started in time. */
  skipped: string[];
}

/**
 * Runs `work` on every item, at most `concurrency` at once, handing each the milliseconds left
 * before the deadline. An item whose turn comes with less than MIN_WORK_MS left is skipped: its
 * `label` goes to `skipped` and it has no result. Results keep the items' order.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  bounds: WorkBounds,
  label: (item: T) => string,
  work: (item: T, leftMs: number) => Promise<R>,
): Promise<R[]> {
  const limit = pLimit(bounds.concurrency);
  const results = await Promise.all(
    items.map((item) =>
      limit(async (): Promise<{ done: R } | undefined> => {
        const left = bounds.deadline - Date.now();
        if (left < MIN_WORK_MS) {
          bounds.skipped.push(label(item));
          return undefined;
        }
        return { done: await work(item, left) };
      }),
    ),
  );
  return results.filter((r): r is { done: R } => r !== undefined).map((r) => r.done);
}
