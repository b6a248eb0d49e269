/**
 * The SSH reads as a cycle prober: every owned appliance with SSH, and the SMAs its ESAs send to
 * as context, read with the planned commands; what the reads of the owned ones show of their
 * outbound TLS is learned for the probes (learn.ts). Only the entry points that read over SSH
 * import this module.
 */
import { sshReader } from '../asyncos/reader';
import type { ConfigObservation } from '../observations';
import type { CycleProber } from './cycle-prober';
import { learnOutbound } from './learn';
import { planCommands } from './read-plan';
import { readWithCredentials } from './rotated-secret';
import { ownSshMemory } from './shard';

const reader = sshReader();

/** The SSH reads of a cycle. */
export const sshReads: CycleProber<ConfigObservation> = {
  kind: 'ssh',
  plan: ({ inventory, shard, credentials }) =>
    [...shard.sshOwned, ...shard.context].map((a) => ({
      label: `ssh ${a.name}`,
      run: async (left, signal) => {
        const ssh = a.ssh!;
        const target = {
          host: a.host,
          port: ssh.port,
          username: ssh.user,
          hostKeys: ssh.hostKeys,
          commands: planCommands(a, inventory),
        };
        const read = await readWithCredentials(
          a,
          credentials,
          (auth, ms) => reader.run({ ...target, auth }, ms, signal),
          Math.min(inventory.monitor.sshTimeoutMs, left),
          signal,
        );
        return { kind: 'config', appliance: a.name, role: a.role, at: read.startedAt, read };
      },
    })),
  remember: (memory, shard) => ownSshMemory(shard, memory),
  learn: learnOutbound,
};
