/**
 * Generated deployable inventories for the scale tests and the synth benchmark: SMAs with 19 ESAs
 * each plus stand-alone ESAs, every appliance on SSH with a pinned key and its own secret, on
 * shared /16 `address` CIDRs (one egress rule per CIDR and port, as a large site would configure).
 */
import { type Inventory, parseInventory } from '../shared/inventory';

const HOST_KEY = 'SHA256:8Fq3k3Qe6yL2bq5mO8pQm4v0pJm9y3n3T2wq1g7Xc0Y';
/** ESAs per SMA in the generated fleet (500 SMAs x 19 ESAs = 10,000 appliances). */
export const ESAS_PER_SMA = 19;
/** The secret name prefix of the generated fleet's secrets. */
export const FLEET_SECRET_PREFIX = 'cpq-monitor/ssh/';

/** Options of the generated fleet. */
export interface FleetOptions {
  /** Appliances in SMA groups; the rest (appliances - groups x 20) are stand-alone ESAs. Default: all. */
  readonly standalone?: number;
  /** Extra `deploy` fields (merged over the generated ones). */
  readonly deploy?: Record<string, unknown>;
}

/** An inventory of `appliances` appliances that `cdk synth` accepts. */
export function deployableFleet(appliances: number, opts: FleetOptions = {}): Inventory {
  const standalone = opts.standalone ?? appliances % (ESAS_PER_SMA + 1);
  const groups = Math.floor((appliances - standalone) / (ESAS_PER_SMA + 1));
  const list: Record<string, unknown>[] = [];
  // 1,000 appliances per /16: ten of them at 10,000 appliances, 40 egress rules with SSH.
  const address = () => `10.${40 + Math.floor(list.length / 1000)}.0.0/16`;
  const ssh = (name: string) => ({
    user: 'cpqmonitor',
    hostKeys: [HOST_KEY],
    credentials: { secretId: `${FLEET_SECRET_PREFIX}${name}` },
  });
  for (let g = 0; g < groups; g++) {
    const sma = `sma${g}`;
    list.push({ name: sma, role: 'sma', host: `${sma}.mail.example.com`, address: address(), ssh: ssh(sma) });
    for (let e = 0; e < ESAS_PER_SMA; e++) {
      const name = `esa${g}-${e}`;
      list.push({
        name,
        role: 'esa',
        host: `${name}.mail.example.com`,
        address: address(),
        quarantine: { sma },
        ssh: ssh(name),
      });
    }
  }
  while (list.length < appliances) {
    const name = `esa-solo${list.length}`;
    list.push({ name, role: 'esa', host: `${name}.mail.example.com`, address: address(), ssh: ssh(name) });
  }
  return parseInventory(
    {
      appliances: list,
      deploy: {
        dynamoDbPrefixListId: 'pl-02cd2c6b',
        sshSecrets: { prefix: FLEET_SECRET_PREFIX },
        ...opts.deploy,
      },
    },
    `generated fleet of ${appliances}`,
  );
}
