/**
 * `cpq-monitor lab`: starts simulated CPQ listeners on loopback for trying the probe by hand (and
 * for the benchmark, which runs it as a separate process). Runs until SIGINT or SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  createLabCertificates,
  isLoopbackHost,
  type LabListener,
  LISTENER_FAULTS,
  type ListenerFault,
  startLabListener,
} from '../lab';
import { ConfigError } from '../shared/errors';
import { runLabWorld } from './lab-world';
import { collect, intOption, printJson, println, table } from './output';

interface LabFlags {
  fault?: string[];
  count?: number;
  host: string;
  port?: number;
  latency?: number;
  hostname?: string;
  caOut?: string;
  json?: boolean;
  inventory?: string;
}

/** What `lab --json` prints (one line) once every listener is up. */
export interface LabManifest {
  hostname: string;
  fingerprint256: string;
  caPem: string;
  listeners: Array<{ host: string; port: number; fault: ListenerFault }>;
}

/** The faults to start, one listener each (repeated `count` times). */
export function labPlan(faults: string[] | undefined, count: number | undefined): ListenerFault[] {
  for (const f of faults ?? []) {
    if (!(LISTENER_FAULTS as readonly string[]).includes(f)) {
      throw new ConfigError(`--fault "${f}" is not one of: ${LISTENER_FAULTS.join(', ')}`);
    }
  }
  const chosen = (
    faults && faults.length > 0 ? faults : count !== undefined ? ['none'] : LISTENER_FAULTS
  ) as ListenerFault[];
  const times = count ?? 1;
  return Array.from({ length: times }, () => chosen).flat();
}

/** Registers `lab` on the program. */
export function register(program: Command): void {
  program
    .command('lab')
    .description('Start simulated CPQ listeners on loopback (one per fault by default) until Ctrl-C')
    .option('--fault <name>', `fault of the listeners (repeatable): ${LISTENER_FAULTS.join(', ')}`, collect)
    .option(
      '--count <n>',
      'listeners per fault (default 1; with no --fault, that many healthy ones)',
      intOption('--count', 1, 20_000),
    )
    .option('--host <address>', 'loopback address to listen on', '127.0.0.1')
    .option(
      '--port <n>',
      'first port (the next listeners take the following ports); default: any free port',
      intOption('--port', 1, 65535),
    )
    .option(
      '--latency <ms>',
      'delay before every reply, TLS included (a WAN model)',
      intOption('--latency', 0, 60_000),
    )
    .option('--hostname <name>', 'name in the greetings and certificates', 'cpq-lab.localdomain')
    .option('--ca-out <file>', 'write the lab CA certificate (PEM) here, for probe --ca')
    .option('--json', 'print one JSON line describing the listeners (for scripts)')
    .option(
      '--inventory <file>',
      'simulate every appliance of an inventory instead (listeners + AsyncOS CLI over SSH), e.g. config/lab.yaml',
    )
    .action(runLab);
}

/** One `lab` run: the listeners (or a whole inventory's appliances) until Ctrl-C. */
async function runLab(flags: LabFlags): Promise<void> {
  if (flags.inventory !== undefined) return runLabWorld(flags.inventory);
  if (!isLoopbackHost(flags.host))
    throw new ConfigError(`--host must be a loopback address, not "${flags.host}"`);
  const plan = labPlan(flags.fault, flags.count);
  if (flags.port !== undefined && flags.port + plan.length - 1 > 65535) {
    throw new ConfigError(`--port ${flags.port} leaves no room for ${plan.length} listeners`);
  }
  const certs = await createLabCertificates({ hostname: flags.hostname });
  const listeners: LabListener[] = [];
  const closeAll = () => Promise.all(listeners.map((l) => l.close()));
  try {
    for (const [i, fault] of plan.entries()) {
      listeners.push(
        await startLabListener({
          certs,
          fault,
          host: flags.host,
          port: flags.port === undefined ? 0 : flags.port + i,
          latencyMs: flags.latency ?? 0,
        }),
      );
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  if (flags.caOut) writeFileSync(flags.caOut, certs.ca.certPem);

  if (flags.json) {
    const manifest: LabManifest = {
      hostname: certs.hostname,
      fingerprint256: certs.healthy.fingerprint256,
      caPem: certs.ca.certPem,
      listeners: listeners.map((l) => ({ host: l.host, port: l.port, fault: l.fault })),
    };
    printJson(manifest);
  } else {
    const hostPart = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
    const shown = listeners.length > 40 ? listeners.slice(0, 40) : listeners;
    println(
      table(
        ['fault', 'listener', 'try'],
        shown.map((l) => [l.fault, `${hostPart}:${l.port}`, `npx cpq-monitor probe ${hostPart}:${l.port}`]),
      ),
    );
    if (shown.length < listeners.length) println(`... and ${listeners.length - shown.length} more listeners`);
    println(`Healthy certificate SHA-256 (for --pin): ${certs.healthy.fingerprint256}`);
    println(
      flags.caOut
        ? `Lab CA written to ${flags.caOut} (for --ca).`
        : 'Add --ca-out FILE to save the lab CA for --ca.',
    );
    println('Anonymous cipher failure: add --ciphers "aNULL:ALL" to a probe of a healthy listener.');
    println('Press Ctrl-C to stop.');
  }

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await closeAll();
}
