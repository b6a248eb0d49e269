/**
 * Which appliances one invocation owns (its shard of the inventory) and which it only reads as
 * context: the SMAs its ESAs send to, read so the rules across appliances can run, whose own
 * findings, memory and notifications belong to the shard that owns them. Pure.
 */
import { isMonitorSubject } from '../findings/ids';
import type { FindingsMemory } from '../findings/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { contextAppliances } from './plan';

/** One invocation's share of the inventory. */
export interface Shard {
  /** Enabled appliances this invocation owns (every enabled one when no names were given). */
  owned: Appliance[];
  /** Names given that the inventory does not have, or has disabled. */
  unknown: string[];
  /** Owned appliances this cycle reads over SSH (none in a probe cycle). */
  sshOwned: Appliance[];
  /** Appliances read only as their owned peers' context (none in a probe cycle). */
  context: Appliance[];
  /** True when names were given: the fleet is split into shards. */
  named: boolean;
  ownedNames: ReadonlySet<string>;
  contextNames: ReadonlySet<string>;
}

/** The shard of `names` (default: every enabled appliance) for a cycle that does or does not read over SSH. */
export function selectShard(inv: Inventory, reads: boolean, names?: readonly string[]): Shard {
  const enabled = inv.appliances.filter((a) => a.enabled);
  const wanted = names === undefined ? undefined : new Set(names);
  const owned = wanted === undefined ? enabled : enabled.filter((a) => wanted.has(a.name));
  const unknown = wanted === undefined ? [] : [...wanted].filter((n) => !owned.some((a) => a.name === n));
  const sshOwned = reads ? owned.filter((a) => a.ssh !== undefined) : [];
  const context = reads ? contextAppliances(inv, sshOwned) : [];
  return {
    owned,
    unknown,
    sshOwned,
    context,
    named: wanted !== undefined,
    ownedNames: new Set(owned.map((a) => a.name)),
    contextNames: new Set(context.map((a) => a.name)),
  };
}

/** True for an appliance read only as context: its own findings and memory are another shard's. */
export function isContext(shard: Shard, appliance: string): boolean {
  return shard.contextNames.has(appliance);
}

/**
 * Whether a finding about these appliances (one, or both ends of a path) is this shard's to
 * report. A path check belongs to a shard that owns either end: the rules across appliances run
 * where the ESA is owned and its SMA is read as context, and nowhere else.
 */
export function reportsAbout(shard: Shard, appliances: readonly string[]): boolean {
  return appliances.some((a) => !isContext(shard, a));
}

/**
 * Whether this shard retries an undelivered notification about these appliances: only its own;
 * the other shards retry theirs. Undefined when the fleet is not split (every one is retried).
 */
export function retriesFor(shard: Shard): ((appliances: readonly string[]) => boolean) | undefined {
  if (!shard.named) return undefined;
  // A monitor-side subject (a credential source) belongs to no appliance: each shard that reports
  // it retries it.
  return (appliances) => appliances.some((a) => isMonitorSubject(a) || shard.ownedNames.has(a));
}

/**
 * The SSH cycle's part of the findings memory that is this shard's to save: entries of context
 * appliances (queue samples by `<appliance>/<queue>`, log cursors by appliance) are left to the
 * shard that owns them, which saves its own.
 */
export function ownSshMemory(
  shard: Shard,
  memory: FindingsMemory,
): Pick<FindingsMemory, 'queues' | 'logs' | 'anonymousOutbound'> {
  const mine = (key: string) => !isContext(shard, key.split('/')[0] ?? key);
  return {
    queues: Object.fromEntries(Object.entries(memory.queues).filter(([k]) => mine(k))),
    logs: Object.fromEntries(Object.entries(memory.logs).filter(([k]) => mine(k))),
    anonymousOutbound: (memory.anonymousOutbound ?? []).filter((n) => !isContext(shard, n)),
  };
}
