/**
 * Cycle benchmark: one full monitoring cycle (probes + SSH reads + findings + alerts with a file
 * store + metrics as EMF lines and appliance records, counted as a log would carry them) over a lab world of N
 * appliances. The world (default 50 SMAs with 9 ESAs each = 500) runs in a child process, so the
 * RSS printed is the monitor's own. A few faults are injected so that alerts and findings do real
 * work. Figures only: it never passes or fails on time (issue 4 targets: < 15 s, < 256 MB).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { startLabWorld } from '../lab/world';
import { ConsoleNotifier } from '../shared/alerts/console-notifier';
import { FileAlertStore } from '../shared/alerts/file-store';
import { credentialResolver } from '../shared/cycle/credentials';
import { FileMemoryStore } from '../shared/cycle/memory';
import { type CycleReport, runCycle } from '../shared/cycle/run';
import { parseInventory } from '../shared/inventory/load';
import type { Inventory } from '../shared/inventory/schema';
import { EmfSink } from '../shared/metrics/emf-sink';
import type { BenchSection } from './main';

interface CycleBenchOptions {
  smas: number;
  esasPerSma: number;
  concurrency: number;
  cycles: number;
}

const DEFAULTS: CycleBenchOptions = { smas: 50, esasPerSma: 9, concurrency: 64, cycles: 1 };
const PASSWORD = 'bench-only-cycle-password';
const PASSWORD_ENV = 'CPQ_BENCH_PASSWORD';
/** Any syntactically valid pin: the lab world replaces it with the key it really serves. */
const PLACEHOLDER_KEY = `SHA256:${'A'.repeat(43)}`;

function parseArgs(args: string[]): CycleBenchOptions {
  const opts = { ...DEFAULTS };
  const keys: Record<string, keyof CycleBenchOptions> = {
    '--smas': 'smas',
    '--esas-per-sma': 'esasPerSma',
    '--concurrency': 'concurrency',
    '--cycles': 'cycles',
  };
  for (let i = 0; i < args.length; i++) {
    const key = keys[args[i]!];
    const value = Number(args[i + 1]);
    if (!key || !Number.isInteger(value) || value < 1) {
      throw new Error(
        `cycle bench: unknown option or bad value at "${args[i]}" (options: ${Object.keys(keys).join(' ')} N)`,
      );
    }
    opts[key] = value;
    i++;
  }
  return opts;
}

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
  process.stdout.write(`${JSON.stringify(world.inventory)}\n`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once('end', resolve));
  await world.close();
}

interface WorldProcess {
  child: ChildProcess;
  inventory: Inventory;
  peakRssMb(): number | null;
  stop(): Promise<void>;
}

async function startWorldProcess(opts: CycleBenchOptions): Promise<WorldProcess> {
  const root = join(__dirname, '..');
  const code = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(root, 'bench/cycle.ts'))}).serveCycleWorld(${opts.smas}, ${opts.esasPerSma}, ${opts.concurrency}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', code], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const text = await new Promise<string>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`the lab process exited (${c}) before it was ready`)));
    lines.once('line', resolve);
  });
  lines.close();
  return {
    child,
    // Validated again on this side, as a Lambda validates its inventory file.
    inventory: parseInventory(JSON.parse(text), 'lab world inventory'),
    peakRssMb() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : null;
      } catch {
        return null;
      }
    },
    async stop() {
      child.stdin?.end();
      await exited;
    },
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
  const opts = parseArgs(args);
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
    store: new FileAlertStore(join(dir, 'alerts.json')),
    memory: new FileMemoryStore(join(dir, 'memory.json')),
    notifier: new ConsoleNotifier(pages),
    sink: new EmfSink(log, { namespace: world.inventory.monitor.namespace }),
    credentials: credentialResolver({ env: { [PASSWORD_ENV]: PASSWORD } }),
  };

  try {
    for (let c = 1; c <= opts.cycles; c++) {
      globalThis.gc?.();
      const rssBefore = process.memoryUsage.rss();
      let peak = rssBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 10);
      const cpu0 = process.cpuUsage();
      t = performance.now();
      let report: CycleReport;
      try {
        report = await runCycle(
          { inventory: world.inventory, kind: 'full', deadline: Date.now() + 120_000 },
          deps,
        );
      } finally {
        clearInterval(sampler);
      }
      const wall = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      peak = Math.max(peak, process.memoryUsage.rss());
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
        `  monitor RSS     before ${mb(rssBefore)}, peak during the cycle ${mb(peak)} (sampled every 10 ms), process max ${mb(process.resourceUsage().maxRSS * 1024)}   (target < 256 MB)`,
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
