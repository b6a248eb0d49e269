/**
 * How a cycle runs one prober (shared/prober/prober.ts): the looks it plans this cycle, the part
 * of the findings memory its checks keep, and what its observations teach the probers after it.
 * run.ts runs the probers it is given in PROBER_ORDER, each the same way; the entry points choose
 * which ones they give (the probe function gives only the listener probes, so its bundle holds no
 * SSH code). docs/architecture.md, "Adding a prober", walks through adding one.
 */
import type { FindingsMemory } from '../findings/types';
import type { Inventory } from '../inventory/schema';
import type { Observation } from '../observations';
import type { ProberKind } from '../prober/prober';
import type { CyclePart } from '../state/memory/store';
import type { CredentialResolver } from './credentials';
import type { OutboundLearned } from './learn';
import type { Shard } from './shard';

/**
 * What the probers learn for each other, kept in the memory part of the prober that learned it:
 * today each appliance's outbound TLS, read over SSH and offered by the probes.
 */
export type Learned = Partial<OutboundLearned>;

/** What a prober plans from: the cycle's inventory and shard, what earlier probers learned. */
export interface ProberScope {
  inventory: Inventory;
  shard: Shard;
  learned: Learned;
  /** Directory that relative files of the inventory (CA bundles) are resolved against. */
  baseDir: string;
  /** Reports one problem of the cycle (a CA file missing...), one sentence. */
  problem: (sentence: string) => void;
  credentials: CredentialResolver;
}

/** One look at one target, named for the skipped list, run under the cycle's bounds. */
export interface ProberWork<O extends Observation = Observation> {
  /** `probe esa1`, `probe sma1 from esa2`, `ssh esa1`. */
  label: string;
  run(timeoutMs: number, signal: AbortSignal): Promise<O>;
}

/** One prober as a cycle runs it. */
export interface CycleProber<O extends Observation = Observation> {
  readonly kind: ProberKind;
  /** This cycle's looks. */
  plan(scope: ProberScope): ProberWork<O>[];
  /** The part of the findings memory its checks keep, saved in its memory part. */
  remember(memory: FindingsMemory, shard: Shard): CyclePart['findings'];
  /**
   * What its observations of the shard's own appliances teach the probers after it, from what it
   * learned before (its memory part): saved in its memory part and handed to the later probers.
   */
  learn?(before: Learned, own: readonly O[]): Learned;
}

/** What a memory part holds besides findings memory and windows: what its prober learned. */
export function learnedIn(part: CyclePart | undefined): Learned {
  if (part === undefined) return {};
  const { findings: _findings, intermittent: _intermittent, savedAt: _savedAt, ...learned } = part;
  return learned;
}
