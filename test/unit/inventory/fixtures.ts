/** Inventories for the inventory module's unit tests, validated by the real schema (defaults applied). */
import { parseInventory } from '../../../shared/inventory/load';
import type { Appliance, Inventory } from '../../../shared/inventory/schema';

/** An inventory of these appliances; extra top-level keys merged in. */
export function inventoryOf(
  appliances: Array<Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): Inventory {
  return parseInventory({ ...extra, appliances }, 'test inventory');
}

/** The appliance of that name (a test's typo fails loudly). */
export function named(inv: Inventory, name: string): Appliance {
  const a = inv.appliances.find((x) => x.name === name);
  if (a === undefined) throw new Error(`no appliance ${name} in the test inventory`);
  return a;
}

/** Names, for readable assertions. */
export function names(list: readonly Appliance[]): string[] {
  return list.map((a) => a.name);
}
