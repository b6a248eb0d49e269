/**
 * Effective per-appliance settings: what an appliance's own settings, the fleet's and the
 * defaults add up to. Pure functions over a validated inventory.
 */
import {
  type Appliance,
  DEFAULTS,
  type Inventory,
  type MaintenanceWindow,
  type TlsExpectations,
} from './schema';

/** Effective TLS expectations of one appliance: its own settings over the fleet's, over the defaults. */
export function tlsFor(inv: Inventory, a: Appliance): TlsExpectations & { expiryWarnDays: number } {
  const merged = { ...inv.tls, ...stripUndefined(a.tls ?? {}) };
  return { ...merged, expiryWarnDays: merged.expiryWarnDays ?? DEFAULTS.expiryWarnDays };
}

/** Effective queue thresholds of one appliance. */
export function queuesFor(inv: Inventory, a: Appliance) {
  const merged = { ...inv.queues, ...stripUndefined(a.queues ?? {}) };
  return {
    cpqQueueName: merged.cpqQueueName ?? DEFAULTS.cpqQueueName,
    releaseQueueName: merged.releaseQueueName ?? DEFAULTS.releaseQueueName,
    warning: merged.warning ?? DEFAULTS.queueWarning,
    critical: merged.critical ?? DEFAULTS.queueCritical,
    growthCycles: merged.growthCycles ?? DEFAULTS.queueGrowthCycles,
  };
}

/** The maintenance window covering an appliance at `now`, if any. */
export function activeMaintenance(
  inv: Inventory,
  appliance: string,
  now: Date,
): MaintenanceWindow | undefined {
  const t = now.getTime();
  return inv.maintenance.find(
    (m) =>
      (m.appliance === '*' || m.appliance === appliance) && Date.parse(m.start) <= t && t < Date.parse(m.end),
  );
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
