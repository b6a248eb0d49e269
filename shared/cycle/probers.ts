/**
 * Every prober, for the entry points that may run any kind of cycle (the CLI, the benches). The
 * probe function imports listener-probes.ts alone, so its bundle holds no SSH code.
 */
import type { CycleProber } from './cycle-prober';
import { listenerProbes } from './listener-probes';
import { sshReads } from './ssh-reads';

/** The listener probes and the SSH reads (run.ts runs them in PROBER_ORDER whatever this order). */
export const ALL_PROBERS: readonly CycleProber[] = [listenerProbes, sshReads];
