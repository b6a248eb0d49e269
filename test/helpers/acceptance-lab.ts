/**
 * What the acceptance suite runs the documented commands against, all on loopback: a simulated
 * fleet written as `inventory.yaml` in the working directory (user `cpqmonitor`, password from
 * CPQ_SSH_PASSWORD, as docs/onboarding.md sets it up), CPQ listeners with a certificate for
 * `sma1.example.com` and its CA in `corp-ca.pem`, saved AsyncOS output, and on demand the lab the
 * docs start by hand (`cpq-monitor lab --inventory config/lab.yaml`, here on free ports).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createLabCertificates, type LabCertificates } from '../../lab/certs';
import { type LabListener, startLabListener } from '../../lab/listener';
import { type LabWorld, startLabWorld } from '../../lab/world';
import { loadInventory } from '../../shared/inventory/load';
import type { Inventory } from '../../shared/inventory/schema';
import {
  closedPort,
  cpqMonitor,
  outputMatching,
  type RunOptions,
  type Started,
  startCpqMonitor,
} from './run-cli';

const ROOT = join(__dirname, '../..');
/** The SSH password of the simulated fleet, as docs/onboarding.md writes it. */
export const FLEET_PASSWORD = 'the password of cpqmonitor';

export interface AcceptanceLab {
  /** Working directory of the commands: inventory.yaml, corp-ca.pem, saved-status.txt. */
  dir: string;
  /** The fleet of inventory.yaml. */
  fleet: LabWorld;
  certs: LabCertificates;
  /** A healthy CPQ listener on 127.0.0.1 and one on ::1, certificate for sma1.example.com. */
  listener: LabListener;
  listenerV6: LabListener;
  /** `host:port` of an appliance's SSH server in the fleet. */
  ssh(name: string): string;
  /** The first pinned host key of an appliance of the fleet. */
  hostKey(name: string): string;
  /** A fresh empty directory (for commands that write files of their own). */
  scratch(): string;
  /** The command in `dir` with the fleet's password in CPQ_SSH_PASSWORD. */
  run(args: string[], opts?: RunOptions): ReturnType<typeof cpqMonitor>;
  /** A fresh directory holding config/lab.yaml moved to free ports. */
  labCopy(): Promise<string>;
  /** `cpq-monitor lab --inventory config/lab.yaml` running in its own directory, started once. */
  handLab(): Promise<HandLab>;
  close(): Promise<void>;
}

export interface HandLab {
  dir: string;
  started: Started;
  /** config/lab.yaml's port → the port the copy uses. */
  port(documented: number): number;
}

/** config/lab.yaml with every port moved to a free one (two test runs never collide). */
async function labCopy(dir: string): Promise<Map<number, number>> {
  const text = readFileSync(join(ROOT, 'config/lab.yaml'), 'utf8');
  const ports = new Map<number, number>();
  for (const m of text.matchAll(/\b(17\d{3})\b/g)) {
    const documented = Number(m[1]);
    if (!ports.has(documented)) ports.set(documented, await closedPort());
  }
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(
    join(dir, 'config/lab.yaml'),
    text.replace(/\b(17\d{3})\b/g, (p) => String(ports.get(Number(p)))),
  );
  return ports;
}

/** The fleet's inventory: config/lab.yaml's appliances, logging in as docs/onboarding.md's user. */
function fleetTemplate(): Inventory {
  const lab = loadInventory(join(ROOT, 'config/lab.yaml'));
  return {
    ...lab,
    appliances: lab.appliances.map((a) =>
      a.ssh
        ? { ...a, ssh: { ...a.ssh, user: 'cpqmonitor', credentials: { passwordEnv: 'CPQ_SSH_PASSWORD' } } }
        : a,
    ),
  };
}

/** Starts everything; `close()` stops it and removes the files. */
export async function startAcceptanceLab(): Promise<AcceptanceLab> {
  const dir = mkdtempSync(join(tmpdir(), 'cpq-acceptance-'));
  const scratchDirs: string[] = [];
  const fleet = await startLabWorld(fleetTemplate(), { ephemeralPorts: true, password: FLEET_PASSWORD });
  writeFileSync(join(dir, 'inventory.yaml'), stringify(fleet.inventory));
  const certs = await createLabCertificates({ hostname: 'sma1.example.com' });
  const listener = await startLabListener({ certs });
  const listenerV6 = await startLabListener({ certs, host: '::1' });
  writeFileSync(join(dir, 'corp-ca.pem'), certs.ca.certPem);
  cpSync(join(ROOT, 'test/fixtures/asyncos/status-esa-online.txt'), join(dir, 'saved-status.txt'));
  let hand: Promise<HandLab> | undefined;
  const appliance = (name: string) => {
    const a = fleet.inventory.appliances.find((x) => x.name === name);
    if (a?.ssh === undefined) throw new Error(`no appliance ${name} with SSH in the fleet`);
    return { host: a.host, ssh: a.ssh };
  };
  const run = (args: string[], opts: RunOptions = {}) =>
    cpqMonitor(args, { cwd: dir, ...opts, env: { CPQ_SSH_PASSWORD: FLEET_PASSWORD, ...opts.env } });
  return {
    dir,
    fleet,
    certs,
    listener,
    listenerV6,
    ssh: (name) => `${appliance(name).host}:${appliance(name).ssh.port}`,
    hostKey: (name) => appliance(name).ssh.hostKeys[0]!,
    scratch() {
      const d = mkdtempSync(join(tmpdir(), 'cpq-acceptance-'));
      scratchDirs.push(d);
      return d;
    },
    run,
    async labCopy() {
      const d = mkdtempSync(join(tmpdir(), 'cpq-acceptance-lab-'));
      scratchDirs.push(d);
      await labCopy(d);
      return d;
    },
    handLab() {
      hand ??= (async () => {
        const handDir = mkdtempSync(join(tmpdir(), 'cpq-acceptance-lab-'));
        scratchDirs.push(handDir);
        const ports = await labCopy(handDir);
        const started = startCpqMonitor(['lab', '--inventory', 'config/lab.yaml'], {
          cwd: handDir,
          stdin: null,
        });
        await outputMatching(started, /In another shell:/);
        return { dir: handDir, started, port: (p) => ports.get(p)! };
      })();
      return hand;
    },
    async close() {
      if (hand !== undefined) {
        const { started } = await hand;
        started.child.stdin.end('quit\n');
        await started.done;
      }
      await Promise.all([fleet.close(), listener.close(), listenerV6.close()]);
      for (const d of [dir, ...scratchDirs]) rmSync(d, { recursive: true, force: true });
    },
  };
}
