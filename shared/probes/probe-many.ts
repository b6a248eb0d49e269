/** Probing many listeners with bounded concurrency: one result per target, in input order. */
import pLimit from 'p-limit';
import { probeListener } from './probe';
import type { ProbeOptions, ProbeResult } from './types';

/** Options of {@link probeMany}. */
export interface ProbeManyOptions {
  /** Most probes in flight at once; default 16. */
  concurrency?: number;
  /** Called as each probe finishes (progress output, metrics). */
  onResult?: (result: ProbeResult, index: number) => void;
}

/** Probes every target with at most `concurrency` in flight; results come back in input order. */
export async function probeMany(
  targets: readonly ProbeOptions[],
  opts: ProbeManyOptions = {},
): Promise<ProbeResult[]> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 16));
  const limit = pLimit(concurrency);
  return Promise.all(
    targets.map((target, index) =>
      limit(async () => {
        const result = await probeListener(target);
        opts.onResult?.(result, index);
        return result;
      }),
    ),
  );
}
