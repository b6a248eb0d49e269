/**
 * Cycle benchmark: one full monitoring cycle (probes + SSH reads + findings + alerts with a file
 * store + metrics as EMF lines and appliance records, counted as a log would carry them) over a lab world of N
 * appliances. The world (default 50 SMAs with 9 ESAs each = 500) runs in a child process, so the
 * RSS printed is the monitor's own. A few faults are injected so that alerts and findings do real
 * work. Figures only: it never passes or fails on time (targets, README.md "Benchmark": < 15 s, < 256 MB).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startLabWorld } from '../lab/world';
import { ConsoleNotifier } from '../shared/alerts/console-notifier';
import { credentialResolver } from '../shared/cycle/credentials';
import { ALL_PROBERS } from '../shared/cycle/probers';
import { type CycleReport, runCycle } from '../shared/cycle/run';
import { parseInventory } from '../shared/inventory/load';
import type { Inventory } from '../shared/inventory/schema';
import { EmfSink } from '../shared/metrics/emf-sink';
import { FileAlertStore } from '../shared/state/alerts/file';
import { FileMemoryStore } from '../shared/state/memory/file';
import {
  type BenchSection,
  parseIntegerOptions,
  sampleRss,
  serveUntilStdinEnds,
  startServingChild,
} from './harness';

interface CycleBenchOptions {
  smas: number;
  esasPerSma: number;
  concurrency: number;
  cycles: number;
}

const DEFAULTS: CycleBenchOptions = { smas: 50, esasPerSma: 9, concurrency: 64, cycles: 1 };
const FLAGS: Record<string, keyof CycleBenchOptions> = {
  '--smas': 'smas',
  '--esas-per-sma': 'esasPerSma',
  '--concurrency': 'concurrency',
  '--cycles': 'cycles',
};
const PASSWORD = 'bench-only-cycle-password';
const PASSWORD_ENV = 'CPQ_BENCH_PASSWORD';
/** Any syntactically valid pin: the lab world replaces it with the key it really serves. */
const PLACEHOLDER_KEY = `SHA256:${'A'.repeat(43)}`;

const pad = (n: number) => String(n).padStart(2, '0');

/** The benchmark's fleet as an inventory document: each SMA with its ESAs, one cluster per SMA. */
export function benchInventory(smas: number, esasPerSma: number, concurrency: number): Inventory {
  const ssh = {
    port: 22,
    user: 'admin',
    hostKeys: [PLACEHOLDER_KEY],
    credentials: { passwordEnv: PASSWORD_ENV },
  };
  const appliances: Array<Record<string, unknown>> = [];
  for (let s = 1; s <= smas; s++) {
    appliances.push({ name: `sma${pad(s)}`, role: 'sma', host: '127.0.0.1', ssh });
    for (let e = 1; e <= esasPerSma; e++) {
      appliances.push({
        name: `esa${pad(s)}-${e}`,
        role: 'esa',
        host: '127.0.0.1',
        cluster: `cluster${pad(s)}`,
        quarantine: { sma: `sma${pad(s)}` },
        ssh,
      });
    }
  }
  return parseInventory(
    {
      monitor: { concurrency, probeTimeoutMs: 10_000, sshTimeoutMs: 30_000, ehloName: 'bench.cpq-monitor' },
      alerting: { failuresBeforePage: 1, successesBeforeRecovery: 1 },
      queues: { warning: 50, critical: 500 },
      appliances,
    },
    'bench inventory',
  );
}

/** Faults the child injects, as `what appliance` lines (printed with the figures). */
function faultsFor(smas: number): Array<{ what: string; appliance: string }> {
  const faults = [{ what: 'listeners suspended', appliance: 'sma01' }];
  if (smas >= 2) faults.push({ what: 'outbound list with anonymous suites first', appliance: 'esa02-1' });
  if (smas >= 3) faults.push({ what: 'the.cpq.host backed up (600, down)', appliance: 'esa03-2' });
  return faults;
}

/** Child-process side: starts the world, injects the faults, prints its inventory, runs until stdin ends. */
export async function serveCycleWorld(smas: number, esasPerSma: number, concurrency: number): Promise<void> {
  const world = await startLabWorld(benchInventory(smas, esasPerSma, concurrency), {
    ephemeralPorts: true,
    password: PASSWORD,
  });
  for (const f of faultsFor(smas)) {
    const a = world.get(f.appliance);
    if (f.what.startsWith('listeners')) await a.suspend();
    else if (f.what.startsWith('outbound')) a.setOutboundCiphers('aNULL:HIGH:MEDIUM:-SSLv2');
    else a.setCpqQueue(600, true);
  }
  await serveUntilStdinEnds(world.inventory);
  await world.close();
}

interface WorldProcess {
  child: ChildProcess;
  inventory: Inventory;
  peakRssMb(): number | null;
  stop(): Promise<void>;
}

async function startWorldProcess(opts: CycleBenchOptions): Promise<WorldProcess> {
  const { child, ready, stop } = await startServingChild('cycle.ts', 'serveCycleWorld', [
    opts.smas,
    opts.esasPerSma,
    opts.concurrency,
  ]);
  return {
    child,
    // Validated again on this side, as a Lambda validates its inventory file.
    inventory: parseInventory(ready, 'lab world inventory'),
    peakRssMb() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : null;
      } catch {
        return null;
      }
    },
    stop,
  };
}

function counts(values: Iterable<string>): string {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return (
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '-'
  );
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function run(args: string[]): Promise<void> {
  const opts = parseIntegerOptions('cycle', args, DEFAULTS, FLAGS, 1);
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const total = opts.smas * (1 + opts.esasPerSma);
  out(`Node ${process.version}, ${require('node:os').cpus().length} CPU(s)`);
  out(
    `starting a lab world of ${total} appliances (${opts.smas} SMAs x ${opts.esasPerSma} ESAs) in a child process...`,
  );
  let t = performance.now();
  const world = await startWorldProcess(opts);
  out(`lab world ready in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  for (const f of faultsFor(opts.smas)) out(`  fault injected: ${f.appliance}: ${f.what}`);

  const dir = mkdtempSync(join(tmpdir(), 'cpq-bench-cycle-'));
  const log = new Writable({ write: (_chunk, _enc, done) => done() });
  let pageBytes = 0;
  const pages = new Writable({
    write(chunk: Buffer, _enc, done) {
      pageBytes += chunk.length;
      done();
    },
  });
  const deps = {
    probers: ALL_PROBERS,
    store: new FileAlertStore(join(dir, 'alerts.json')),
    memory: new FileMemoryStore(join(dir, 'memory.json')),
    notifier: new ConsoleNotifier(pages),
    sink: new EmfSink(log, { namespace: world.inventory.monitor.namespace }),
    credentials: credentialResolver({ env: { [PASSWORD_ENV]: PASSWORD } }),
  };

  try {
    for (let c = 1; c <= opts.cycles; c++) {
      const rss = sampleRss();
      const cpu0 = process.cpuUsage();
      t = performance.now();
      let report: CycleReport;
      let peak: number;
      try {
        report = await runCycle(
          { inventory: world.inventory, kind: 'full', deadline: Date.now() + 120_000 },
          deps,
        );
      } finally {
        peak = rss.stop();
      }
      const wall = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const m = report.metrics.report;
      const sev = counts(report.findings.map((f) => f.severity));
      out(`\ncycle ${c} of ${opts.cycles}: full (probes + SSH reads), concurrency ${opts.concurrency}`);
      out(`  appliances      ${report.appliances.length} (context reads ${report.context.length})`);
      out(`  probes          ${report.listener.length}: ${counts(report.listener.map((o) => o.probe.code))}`);
      out(`  SSH reads       ${report.config.length}: ${counts(report.config.map((o) => o.read.code))}`);
      out(`  findings        ${report.findings.length} (${sev}); folded ${report.explained.length}`);
      out(`  by check        ${counts(report.findings.map((f) => f.check))}`);
      out(`  paths           ${report.paths.length}: ${counts(report.paths.map((p) => p.state))}`);
      out(
        `  alerts          ${report.alerts.alerts.length} touched, ${report.alerts.sent} notifications sent (${pageBytes} bytes of console text so far), ${report.alerts.errors} errors`,
      );
      out(
        `  metrics         ${m.data} data -> ${m.entries} EMF documents, ${m.emfBytes} bytes; ${m.records} appliance records, ${m.recordBytes} bytes (${(m.recordBytes / Math.max(1, m.records)).toFixed(0)} B each)`,
      );
      out(`  skipped         ${report.skipped.length}; problems ${report.problems.length}`);
      for (const p of report.problems.slice(0, 5)) out(`    problem: ${p}`);
      out(`  wall time       ${wall.toFixed(2)} s   (target < 15 s for 500)`);
      out(`  CPU             ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s in the monitor process`);
      out(
        `  monitor RSS     before ${mb(rss.before)}, peak during the cycle ${mb(peak)} (sampled every 10 ms), process max ${mb(process.resourceUsage().maxRSS * 1024)}   (target < 256 MB)`,
      );
      out(`  lab process     peak RSS ${world.peakRssMb()?.toFixed(1) ?? '?'} MB (not the monitor's)`);
    }
  } finally {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `cycle` section of `npm run bench`. */
export const cycleBench: BenchSection = {
  name: 'cycle',
  description:
    'one full cycle over a lab world of N appliances (--smas 50 --esas-per-sma 9 --concurrency 64 --cycles 1)',
  run,
};
