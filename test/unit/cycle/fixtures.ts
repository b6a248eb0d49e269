/** Inventories for the cycle's unit tests, validated by the real schema (defaults applied). */
import { parseInventory } from '../../../shared/inventory/load';
import type { Inventory } from '../../../shared/inventory/schema';

/** A syntactically valid OpenSSH fingerprint (43 base64 characters after `SHA256:`). */
export const HOST_KEY = `SHA256:${'A'.repeat(43)}`;

/** SSH settings with a password from an environment variable. */
export function sshWith(credentials: Record<string, string>, port = 22) {
  return { port, user: 'admin', hostKeys: [HOST_KEY], credentials };
}

/** One SMA (`sma1`) and the given ESAs sending to it; extra top-level keys merged in. */
export function inventoryOf(appliances: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return parseInventory({ ...extra, appliances }, 'test inventory');
}

/** sma1 with SSH, esa1 and esa2 with SSH sending to it on 7025. */
export function smallFleet(extra: Record<string, unknown> = {}): Inventory {
  const ssh = sshWith({ passwordEnv: 'CPQ_PW' });
  return inventoryOf(
    [
      { name: 'sma1', role: 'sma', host: '10.0.0.10', ssh },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' }, ssh },
      { name: 'esa2', role: 'esa', host: '10.0.0.22', quarantine: { sma: 'sma1' }, ssh },
    ],
    extra,
  );
}

/** The appliance of that name (a test's typo fails loudly). */
export function applianceOf(inv: Inventory, name: string) {
  const a = inv.appliances.find((x) => x.name === name);
  if (a === undefined) throw new Error(`no appliance ${name} in the test inventory`);
  return a;
}
