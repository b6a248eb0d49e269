/**
 * The CPQ topology an inventory describes: which ESAs send quarantined mail to which SMA (and
 * so which SMA releases mail to which ESAs), the pairs of appliances that make a path, and the
 * CPQ ports their traffic uses. Pure functions over a validated inventory (every `quarantine.sma`
 * names an SMA of the inventory, only ESAs have one, names are unique).
 */
import type { Appliance, Inventory } from './schema';

/**
 * Which appliances count: `enabled` (the default) leaves out those listed but not monitored;
 * `all` keeps them, for the few places where an appliance's traffic matters even unmonitored.
 */
export type Which = 'enabled' | 'all';

function counts(a: Appliance, which: Which): boolean {
  return which === 'all' || a.enabled;
}

/** The inventory by name, and every SMA's ESAs (monitored or not) in inventory order. */
interface TopologyIndex {
  byName: Map<string, Appliance>;
  esasBySma: Map<string, Appliance[]>;
}

/**
 * One index per appliance list, built on first use: a cycle over a 10,000-appliance inventory asks
 * for an ESA's SMA and an SMA's ESAs thousands of times, and a linear search each time made the
 * per-invocation work grow with the square of the fleet. Keyed by the list itself (a validated
 * inventory's list is never changed in place; a copy with other appliances gets its own index).
 */
const INDEXES = new WeakMap<readonly Appliance[], TopologyIndex>();

function indexOf(inv: Inventory): TopologyIndex {
  let index = INDEXES.get(inv.appliances);
  if (index === undefined) {
    index = { byName: new Map(), esasBySma: new Map() };
    for (const a of inv.appliances) {
      if (!index.byName.has(a.name)) index.byName.set(a.name, a);
      const sma = a.role === 'esa' ? a.quarantine?.sma : undefined;
      if (sma === undefined) continue;
      const list = index.esasBySma.get(sma);
      if (list === undefined) index.esasBySma.set(sma, [a]);
      else list.push(a);
    }
    INDEXES.set(inv.appliances, index);
  }
  return index;
}

/** The appliance named `name` (monitored or not), from the index; undefined when there is none. */
export function applianceNamed(inv: Inventory, name: string): Appliance | undefined {
  return indexOf(inv).byName.get(name);
}

/** The ESAs that send quarantined mail to the SMA named `sma`, in inventory order. */
export function esasOf(inv: Inventory, sma: string, which: Which = 'enabled'): Appliance[] {
  return (indexOf(inv).esasBySma.get(sma) ?? []).filter((a) => counts(a, which));
}

/** The SMA an ESA sends its quarantined mail to; undefined for an SMA or an ESA without one. */
export function smaOf(inv: Inventory, esa: Appliance, which: Which = 'enabled'): Appliance | undefined {
  const name = esa.quarantine?.sma;
  if (name === undefined) return undefined;
  const sma = indexOf(inv).byName.get(name);
  return sma !== undefined && counts(sma, which) ? sma : undefined;
}

/** The appliances at the other end of an appliance's CPQ paths: an SMA's ESAs, an ESA's SMA. */
export function peersOf(inv: Inventory, a: Appliance, which: Which = 'enabled'): Appliance[] {
  if (a.role === 'sma') return esasOf(inv, a.name, which);
  const sma = smaOf(inv, a, which);
  return sma === undefined ? [] : [sma];
}

/** One enabled ESA and the enabled SMA it sends to: the two directions of one CPQ path pair. */
export interface CpqPair {
  esa: Appliance;
  sma: Appliance;
}

/** Every enabled ESA whose SMA is enabled too, with that SMA, in the ESAs' inventory order. */
export function cpqPairs(inv: Inventory): CpqPair[] {
  const pairs: CpqPair[] = [];
  for (const esa of inv.appliances) {
    if (!esa.enabled) continue;
    const sma = smaOf(inv, esa);
    if (sma !== undefined) pairs.push({ esa, sma });
  }
  return pairs;
}

/**
 * Appliances that belong together (in one shard, say): each enabled SMA with the enabled ESAs
 * that send to it, then every enabled appliance with no such tie, in inventory order.
 */
export function pathGroups(inv: Inventory): Appliance[][] {
  const enabled = inv.appliances.filter((a) => a.enabled);
  const placed = new Set<string>();
  const groups: Appliance[][] = [];
  for (const sma of enabled.filter((a) => a.role === 'sma')) {
    const group = [sma, ...esasOf(inv, sma.name)];
    groups.push(group);
    for (const a of group) placed.add(a.name);
  }
  for (const a of enabled) if (!placed.has(a.name)) groups.push([a]);
  return groups;
}

/**
 * The CPQ ports an appliance's traffic uses, sorted: its own listener's, the one it sends
 * quarantined mail to and, on an SMA when the inventory is given, the listeners of the enabled
 * ESAs it releases mail to.
 */
export function cpqPortsOf(a: Appliance, inv?: Inventory): number[] {
  const ports = [a.cpqPort, ...(a.quarantine ? [a.quarantine.port] : [])];
  if (inv && a.role === 'sma') for (const e of esasOf(inv, a.name)) ports.push(e.cpqPort);
  return [...new Set(ports)].sort((x, y) => x - y);
}

/** Every CPQ port of the inventory, monitored or not: listeners' ports and the ports ESAs send to. */
export function fleetCpqPorts(inv: Inventory): Set<number> {
  const ports = new Set<number>();
  for (const a of inv.appliances) {
    ports.add(a.cpqPort);
    if (a.quarantine) ports.add(a.quarantine.port);
  }
  return ports;
}
