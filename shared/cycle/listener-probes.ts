/**
 * The CPQ listener probes as a cycle prober: every owned listener, offering what its peers offer
 * (their outbound TLS as the SSH reads learned it, else the inventory's), under the cycle's bounds.
 */

import type { ListenerObservation } from '../observations';
import { listenerProber } from '../probes/probe';
import { caFileReader } from './ca-files';
import type { CycleProber } from './cycle-prober';
import { planProbes } from './plan';

/** The listener probes of a cycle. */
export const listenerProbes: CycleProber<ListenerObservation> = {
  kind: 'probe',
  plan: ({ inventory, shard, learned, baseDir, problem }) =>
    planProbes(inventory, shard.owned, {
      outboundCiphers: learned.outboundCiphers ?? {},
      ...(learned.outboundVersions !== undefined ? { outboundVersions: learned.outboundVersions } : {}),
      ca: caFileReader(baseDir, problem),
      timeoutMs: inventory.monitor.probeTimeoutMs,
    }).map((p) => ({
      label: `probe ${p.appliance.name}${p.from ? ` from ${p.from}` : ''}`,
      run: async (timeoutMs, signal) => {
        const probe = await listenerProber.run(p.options, timeoutMs, signal);
        return {
          kind: 'listener',
          appliance: p.appliance.name,
          role: p.appliance.role,
          at: probe.startedAt,
          ...(p.from !== undefined ? { from: p.from } : {}),
          probe,
        };
      },
    })),
  remember: (memory) => ({ listeners: memory.listeners }),
};
