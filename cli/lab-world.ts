/**
 * `cpq-monitor lab --inventory FILE`: every appliance of an inventory simulated on loopback (CPQ
 * listener and AsyncOS CLI over SSH, on the inventory's ports, with the lab's pinned host keys),
 * plus a small console to break and mend things by hand while `check` watches.
 */
import { createInterface } from 'node:readline';
import { LISTENER_FAULTS, type ListenerFault } from '../lab/listener-faults';
import { SSH_FAULTS, type SshFault } from '../lab/ssh-faults';
import { LAB_DEFAULT_PASSWORD, type LabWorld, startLabWorld } from '../lab/world';
import { ConfigError, errorMessage } from '../shared/errors';
import { loadInventory } from '../shared/inventory/load';
import { println, RUN_COMMAND, table } from './output';

const ANONYMOUS = 'aNULL:HIGH:MEDIUM:-SSLv2';
const FIXED = 'HIGH:MEDIUM:-SSLv2:-aNULL';

const HELP = `commands (APPLIANCE is a name from the inventory):
  suspend APPLIANCE          suspendlistener: its cpq_listener refuses connections
  resume APPLIANCE           resume
  ciphers APPLIANCE anonymous|fixed|LIST   set its outbound cipher list
  queue APPLIANCE N [down]   active recipients in the.cpq.host / the.cpq.release.host
  listener APPLIANCE FAULT   ${LISTENER_FAULTS.join(', ')}
  ssh APPLIANCE FAULT        ${SSH_FAULTS.join(', ')}
  help, quit`;

/** The console's verbs that take an appliance name. */
const VERBS = new Set(['suspend', 'resume', 'ciphers', 'queue', 'listener', 'ssh']);

/** The line a banner prints for watching a lab of `file` from another shell. */
export function watchHint(file: string): string {
  return `CPQ_LAB_PASSWORD=${LAB_DEFAULT_PASSWORD} ${RUN_COMMAND} check --inventory ${file} --watch 10`;
}

/** Applies one console line to the world; returns what to print. */
export async function labCommand(world: LabWorld, line: string): Promise<string> {
  const [verb, name, ...rest] = line.trim().split(/\s+/);
  if (!verb) return '';
  if (verb === 'help') return HELP;
  // The verb first: "bogus cmd" is an unknown command, not a lookup of an appliance named "cmd".
  if (!VERBS.has(verb)) return `unknown command "${verb}" (help lists the commands)`;
  if (name === undefined) return `"${verb}" needs an appliance name (help lists the commands)`;
  const a = world.get(name);
  switch (verb) {
    case 'suspend':
      await a.suspend('listeners');
      return `${name}: listeners suspended (cpq_listener refuses)`;
    case 'resume':
      await a.resume();
      return `${name}: online`;
    case 'ciphers': {
      const arg = rest.join(' ');
      if (!arg) return 'ciphers needs anonymous, fixed or a cipher list';
      const list = arg === 'anonymous' ? ANONYMOUS : arg === 'fixed' ? FIXED : arg;
      a.setOutboundCiphers(list);
      return `${name}: outbound cipher list ${list}`;
    }
    case 'queue': {
      const n = Number(rest[0]);
      if (!Number.isInteger(n) || n < 0) return 'queue needs a whole number of recipients';
      a.setCpqQueue(n, rest[1] === 'down');
      return `${name}: CPQ queue ${n} active recipients${rest[1] === 'down' ? ', marked down' : ''}`;
    }
    case 'listener': {
      const fault = rest[0] as ListenerFault;
      if (!LISTENER_FAULTS.includes(fault))
        return `listener fault must be one of ${LISTENER_FAULTS.join(', ')}`;
      await a.listener.setFault(fault);
      return `${name}: listener fault ${fault}`;
    }
    case 'ssh': {
      const fault = rest[0] as SshFault;
      if (!SSH_FAULTS.includes(fault)) return `ssh fault must be one of ${SSH_FAULTS.join(', ')}`;
      a.ssh.setFault(fault);
      return `${name}: ssh fault ${fault}`;
    }
    default:
      return `unknown command "${verb}" (help lists the commands)`;
  }
}

/** Starts the world described by the inventory and serves the console until Ctrl-C or `quit`. */
export async function runLabWorld(file: string): Promise<void> {
  const inventory = loadInventory(file);
  const world = await startLabWorld(inventory, { ephemeralPorts: false });
  try {
    println(
      `Lab of ${file} on loopback (SSH password: $CPQ_LAB_PASSWORD, default "${LAB_DEFAULT_PASSWORD}"):`,
    );
    println(
      table(
        ['appliance', 'role', 'CPQ listener', 'SSH', 'host key'],
        world.inventory.appliances.map((a) => [
          a.name,
          a.role,
          `${a.host}:${a.cpqPort}`,
          a.ssh ? `${a.host}:${a.ssh.port}` : '-',
          a.ssh?.hostKeys[0] ?? '-',
        ]),
      ),
    );
    const drift = inventory.appliances.filter(
      (a) =>
        a.ssh &&
        world.inventory.appliances.find((b) => b.name === a.name)?.ssh?.hostKeys[0] !== a.ssh.hostKeys[0],
    );
    if (drift.length > 0) {
      println(
        `note: ${drift.map((a) => a.name).join(', ')} got a fresh host key (no lab/host-keys/<name>.key): pin the one above`,
      );
    }
    println(`In another shell: ${watchHint(file)}`);
    println(HELP);
    await new Promise<void>((resolve) => {
      const rl = createInterface({ input: process.stdin, terminal: false });
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        rl.close();
        // A piped stdin would keep the process alive until its writer ends: let go of it.
        process.stdin.destroy();
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      rl.on('line', (line) => {
        if (line.trim() === 'quit') return stop();
        labCommand(world, line)
          .then((text) => text && println(text))
          .catch((err) => println(`error: ${err instanceof ConfigError ? err.message : errorMessage(err)}`));
      });
    });
  } finally {
    await world.close();
  }
}
