/**
 * `cpq-monitor check --inventory FILE`: the monitoring cycle the Lambdas run, from here: probes,
 * SSH reads, findings, alerts (console) and metrics (EMF lines). Exit code by the worst finding.
 */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, EXIT } from '../shared/errors';
import type { Inventory } from '../shared/inventory/schema';
import { type CycleKind, PROBER_KINDS } from '../shared/prober/prober';
import { localStateFiles } from './local-state';
import { intOption, printJson, println } from './output';

interface CheckFlags {
  inventory: string;
  json?: boolean;
  state?: string;
  watch?: number;
  cycle: string;
  emf?: string;
  timeout?: number;
}

const KINDS: readonly CycleKind[] = [...PROBER_KINDS, 'full'];

/** Registers `check` on the program. */
export function register(program: Command): void {
  program
    .command('check')
    .description('Run monitoring cycles over an inventory: probes, SSH reads, findings, alerts and metrics')
    .requiredOption('--inventory <file>', 'inventory (YAML or JSON)')
    .option(
      '--json',
      'print each cycle as one JSON document { kind, startedAt, durationMs, findings, alerts, metrics, paths, explained, skipped, problems, muted, acknowledged }; pages go to stderr',
    )
    .option(
      '--state <file>',
      'alert state file (silences, acks; cycle memory and EMF lines go beside it); default .cpq-monitor/NAME.state.json beside the inventory NAME, as silence, ack and alerts use it',
    )
    .option(
      '--watch <seconds>',
      'repeat every N seconds (5 or more) until Ctrl-C',
      intOption('--watch', 5, 86_400),
    )
    .option('--cycle <kind>', `what to run: ${KINDS.join(', ')} (probes, SSH reads, or both)`, 'full')
    .option(
      '--emf <file>',
      'append CloudWatch Embedded Metric Format lines here (default beside the state file: .cpq-monitor/NAME.metrics.emf.jsonl)',
    )
    .option(
      '--timeout <ms>',
      'deadline of one cycle in ms (default: what only a hang can reach); work not started in time is listed and exits 3 unless a finding is critical',
      intOption('--timeout', 2000, 3_600_000),
    )
    .action(runCheck);
}

/** One `check` run: a cycle (or one every --watch seconds) until done or signalled. */
async function runCheck(flags: CheckFlags): Promise<void> {
  if (!(KINDS as readonly string[]).includes(flags.cycle)) {
    throw new ConfigError(`--cycle must be one of ${KINDS.join(', ')}, not "${flags.cycle}"`);
  }
  // The cycle's modules load only when a cycle runs: `check --help` starts at once.
  const [{ ConsoleNotifier }, { runCycle }, { loadInventory }, report, { localCycleDeps }] =
    await Promise.all([
      import('../shared/alerts/console-notifier'),
      import('../shared/cycle/run'),
      import('../shared/inventory/load'),
      import('./cycle-report'),
      import('./local-cycle'),
    ]);
  const { cycleJson, exitCodeOfCycle, renderCycle } = report;
  const inventory = loadInventory(flags.inventory);
  const files = localStateFiles(flags);
  const emf = flags.emf !== undefined ? resolve(flags.emf) : files.emf;
  const deps = localCycleDeps(inventory, {
    statePath: files.state,
    emf,
    baseDir: dirname(resolve(flags.inventory)),
    // With --json, stdout carries only the documents; pages go to stderr.
    notifier: new ConsoleNotifier(flags.json ? process.stderr : process.stdout),
  });
  const timeout = flags.timeout ?? defaultCycleTimeoutMs(inventory);
  // SIGINT/SIGTERM end the running cycle at once (nothing new starts, probes and reads in
  // flight are cut off and discarded; alerts and memory are still saved together) and the
  // command exits 130/143, as a shell expects.
  let stop = false;
  let caught: NodeJS.Signals | undefined;
  const interrupted = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    stop = true;
    caught ??= signal;
    interrupted.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stateLine = `alert state: ${files.state} (cycle memory: ${files.memory}; metrics: ${emf})`;
  if (flags.json) process.stderr.write(`${stateLine}\n`);
  else println(stateLine);
  try {
    do {
      const report = await runCycle(
        {
          inventory,
          kind: flags.cycle as CycleKind,
          deadline: Date.now() + timeout,
          // The cycle keeps time after its I/O for alerts, metrics and memory (5 s by
          // default); a short --timeout must still leave most of itself to the I/O.
          tailReserveMs: Math.min(5000, Math.floor(timeout / 4)),
          baseDir: dirname(resolve(flags.inventory)),
          signal: interrupted.signal,
        },
        deps,
      );
      if (flags.json) printJson(cycleJson(report));
      else println(renderCycle(report));
      process.exitCode = exitCodeOfCycle(report);
      if (flags.watch === undefined || stop) break;
      await sleepUnless(flags.watch * 1000, () => stop);
    } while (!stop);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await deps.close();
  }
  if (caught !== undefined) process.exitCode = caught === 'SIGINT' ? 130 : 143;
  if (process.exitCode === undefined) process.exitCode = EXIT.ok;
}

/**
 * A deadline that only a hang can reach: reads run first, then probes, each in waves of
 * `concurrency`, each item bounded by its own timeout (probes may go once per peer: twice the
 * appliances at most, in practice). Capped at an hour.
 */
export function defaultCycleTimeoutMs(inv: Inventory): number {
  const m = inv.monitor;
  const n = inv.appliances.filter((a) => a.enabled).length;
  const readWaves = Math.ceil(n / m.concurrency);
  const probeWaves = Math.ceil((2 * n) / m.concurrency);
  return Math.min(3_600_000, readWaves * m.sshTimeoutMs + probeWaves * m.probeTimeoutMs + 10_000);
}

async function sleepUnless(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
  }
}
