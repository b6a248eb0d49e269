/**
 * A lab world: every appliance of an inventory simulated on loopback (CPQ listener + AsyncOS CLI
 * over SSH), wired to each other as the inventory says (each ESA's SMA, its port, the SMA's
 * RELAYLIST, clusters). Returns the inventory as it really is (ports actually bound, host keys
 * actually served), so a cycle can run against the world unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../shared/errors';
import { type Appliance, DEFAULTS, type Inventory } from '../shared/inventory/schema';
import { peersOf, smaOf } from '../shared/inventory/topology';
import { packageRoot } from '../shared/package-root';
import { type SimulatedAppliance, startSimulatedAppliance } from './appliance';
import { createLabCertificates } from './certs';
import { isLoopbackHost } from './listener';

/** The lab's SSH password when CPQ_LAB_PASSWORD is not set. */
export const LAB_DEFAULT_PASSWORD = 'ironport';
/** Host keys of the appliances of config/lab.yaml (lab only; loopback only). */
export const LAB_HOST_KEYS_DIR = join(packageRoot(), 'lab', 'host-keys');

export interface LabWorldOptions {
  /** Bind every server on a free port instead of the inventory's ports (tests, demo, benchmark). */
  ephemeralPorts?: boolean;
  /** SSH password of every simulated appliance; default CPQ_LAB_PASSWORD or `ironport`. */
  password?: string;
  /** Directory of `<appliance>.key` host keys; appliances without one get a fresh key. */
  hostKeysDir?: string;
}

export interface LabWorld {
  /** The inventory with the ports and host keys actually in use. */
  readonly inventory: Inventory;
  readonly appliances: ReadonlyMap<string, SimulatedAppliance>;
  /** The simulated appliance of that name (throws for an unknown name: a test's typo). */
  get(name: string): SimulatedAppliance;
  close(): Promise<void>;
}

function hostnameOf(a: Appliance): string {
  return `${a.name}.lab.example`;
}

/** Starts every enabled appliance of the inventory; SMAs first, so ESAs learn their ports. */
export async function startLabWorld(template: Inventory, opts: LabWorldOptions = {}): Promise<LabWorld> {
  const password = opts.password ?? process.env.CPQ_LAB_PASSWORD ?? LAB_DEFAULT_PASSWORD;
  const keysDir = opts.hostKeysDir ?? LAB_HOST_KEYS_DIR;
  const enabled = template.appliances.filter((a) => a.enabled);
  for (const a of enabled) {
    if (!isLoopbackHost(a.host)) {
      throw new ConfigError(`lab: appliance ${a.name} has host ${a.host}; the lab only listens on loopback`);
    }
  }
  const certs = await createLabCertificates({ hostname: 'cpq.lab.example' });
  const started = new Map<string, SimulatedAppliance>();
  const clusters = new Map<string, string[]>();
  for (const a of enabled)
    if (a.cluster) clusters.set(a.cluster, [...(clusters.get(a.cluster) ?? []), hostnameOf(a)]);

  const start = async (a: Appliance): Promise<void> => {
    const keyFile = join(keysDir, `${a.name}.key`);
    const peers = peersOf(template, a);
    const sma = a.role === 'esa' && a.quarantine ? started.get(a.quarantine.sma) : undefined;
    const smaTemplate = smaOf(template, a);
    // The ESA points at its SMA's real port, unless the inventory deliberately names another one.
    const targetPort =
      sma !== undefined &&
      a.quarantine !== undefined &&
      smaTemplate !== undefined &&
      a.quarantine.port === smaTemplate.cpqPort
        ? sma.listener.port
        : (a.quarantine?.port ?? DEFAULTS.cpqPort);
    const appliance = await startSimulatedAppliance({
      role: a.role,
      hostname: hostnameOf(a),
      host: a.host,
      certs,
      password,
      ...(a.ssh ? { username: a.ssh.user } : {}),
      ...(opts.ephemeralPorts ? {} : { cpqPort: a.cpqPort }),
      ...(opts.ephemeralPorts || !a.ssh ? {} : { sshPort: a.ssh.port }),
      ...(existsSync(keyFile) ? { hostKey: readFileSync(keyFile, 'utf8') } : {}),
      relayList: [...new Set(peers.map((p) => p.host))],
      cluster: a.cluster ? { name: a.cluster, machines: clusters.get(a.cluster) ?? [] } : null,
      ...(a.role === 'esa' && a.quarantine
        ? {
            cpqTarget: {
              enabled: true,
              host: smaTemplate?.host ?? a.quarantine.sma,
              port: targetPort,
              interface: 'Management',
            },
          }
        : {}),
    });
    started.set(a.name, appliance);
  };

  try {
    for (const a of enabled.filter((x) => x.role === 'sma')) await start(a);
    await Promise.all(enabled.filter((x) => x.role === 'esa').map(start));
  } catch (err) {
    await Promise.all([...started.values()].map((s) => s.close()));
    throw err;
  }

  const inventory: Inventory = {
    ...template,
    appliances: template.appliances.map((a) => {
      const sim = started.get(a.name);
      if (sim === undefined) return a;
      const smaSim = a.quarantine ? started.get(a.quarantine.sma) : undefined;
      const smaTemplate = smaOf(template, a, 'all');
      return {
        ...a,
        cpqPort: sim.listener.port,
        ...(a.ssh ? { ssh: { ...a.ssh, port: sim.ssh.port, hostKeys: [sim.ssh.fingerprint] } } : {}),
        ...(a.quarantine && smaSim && smaTemplate && a.quarantine.port === smaTemplate.cpqPort
          ? { quarantine: { ...a.quarantine, port: smaSim.listener.port } }
          : {}),
      };
    }),
  };

  return {
    inventory,
    appliances: started,
    get(name) {
      const s = started.get(name);
      if (s === undefined) throw new ConfigError(`lab: no simulated appliance named ${name}`);
      return s;
    },
    async close() {
      await Promise.all([...started.values()].map((s) => s.close()));
    },
  };
}
