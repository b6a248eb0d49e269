/**
 * Scale benchmark: a 10,000-appliance inventory (default 500 SMAs x 19 ESAs) split into the stack's
 * shards exactly as the stack splits it (infra/deploy-plan.ts `cycleShards`, `deploy.shardSize`),
 * then the probe and SSH invocations of sample shards run as the deployed function runs them: a
 * "function" child process that validates the WHOLE inventory at start (what a cold start does with
 * the bundled inventory.json), then runs each shard's cycles one after another (a warm container),
 * with appliance records and EMF lines counted as the function's log would carry them. The sampled
 * shards' appliances are simulated by a lab world in a third process on this machine.
 *
 * Figures only, never pass/fail: per invocation wall time, CPU, the function process's peak RSS,
 * the wall time projected at the deployed memory size's CPU share (Lambda gives one vCPU at
 * 1,769 MB, so 512 MB gets 29%: a CPU-bound invocation takes CPU / 0.29), and the headroom under
 * the function's timeout and memory (target: at least 2x on both).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { batchGetUnits, indexQueryUnits, itemBytes } from '../infra/cost/read-units';
import { cycleIntervalMinutes, cycleShards, type ShardInput } from '../infra/deploy-plan';
import { CYCLE_FUNCTION_SIZING, cycleTimeoutSeconds } from '../infra/sizing';
import { startLabWorld } from '../lab/world';
import { ConsoleNotifier } from '../shared/alerts/console-notifier';
import type { AlertRecord } from '../shared/alerts/record';
import { credentialResolver } from '../shared/cycle/credentials';
import { contextAppliances } from '../shared/cycle/plan';
import { ALL_PROBERS } from '../shared/cycle/probers';
import { runCycle } from '../shared/cycle/run';
import { parseInventory, parseInventoryJson } from '../shared/inventory/load';
import type { Inventory } from '../shared/inventory/schema';
import { EmfSink } from '../shared/metrics/emf-sink';
import { FileAlertStore } from '../shared/state/alerts/file';
import type { AlertStore, ListOpenOptions, PutOutcome } from '../shared/state/alerts/store';
import { FileMemoryStore } from '../shared/state/memory/file';
import type { CyclePart, MemoryStore } from '../shared/state/memory/store';
import { benchInventory } from './cycle';
import type { BenchSection } from './harness';

interface ScaleOptions {
  smas: number;
  esasPerSma: number;
  /** Shards run, spread evenly over the fleet (first and last included). */
  shards: number;
}
const DEFAULTS: ScaleOptions = { smas: 500, esasPerSma: 19, shards: 4 };
const PASSWORD = 'bench-only-cycle-password';
const PASSWORD_ENV = 'CPQ_BENCH_PASSWORD';
/** Lambda allocates one vCPU at 1,769 MB of memory, proportionally below. */
const MB_PER_VCPU = 1769;
/** Time the handler keeps back from the remaining time (functions/runtime.ts SAFETY_MS). */
const SAFETY_MS = 2000;

function parseArgs(args: string[]): ScaleOptions {
  const opts = { ...DEFAULTS };
  const keys: Record<string, keyof ScaleOptions> = {
    '--smas': 'smas',
    '--esas-per-sma': 'esasPerSma',
    '--shards': 'shards',
  };
  for (let i = 0; i < args.length; i++) {
    const key = keys[args[i]!];
    const value = Number(args[i + 1]);
    if (!key || !Number.isInteger(value) || value < 1) {
      throw new Error(
        `scale bench: unknown option or bad value at "${args[i]}" (options: ${Object.keys(keys).join(' ')} N)`,
      );
    }
    opts[key] = value;
    i++;
  }
  return opts;
}

/** What the function child reports per invocation. */
export interface InvocationFigures {
  cycle: 'probe' | 'ssh';
  shard: { index: number; count: number };
  appliances: number;
  probes: number;
  reads: number;
  skipped: number;
  findings: number;
  wallMs: number;
  cpuMs: number;
  /** The function process's peak RSS so far (VmHWM), MB. */
  peakRssMb: number;
  emfBytes: number;
  recordBytes: number;
  records: number;
  /** DynamoDB read units the invocation's alert-store calls would consume (infra/cost/read-units.ts). */
  alertReadUnits: number;
  /** Queries of the appliance index it made (one per appliance it may step). */
  alertQueries: number;
  /** Size of the memory part it saved (JSON bytes): what the next invocations read back. */
  memoryPartBytes: number;
  problems: string[];
}

/** Counts the read units the alert store's calls would cost on the deployed table. */
class MeteredAlertStore implements AlertStore {
  units = 0;
  queries = 0;
  constructor(private readonly inner: AlertStore) {}
  async get(ids: readonly string[]): Promise<Map<string, AlertRecord>> {
    const found = await this.inner.get(ids);
    const unique = new Set(ids);
    this.units += batchGetUnits([...found.values()].map(itemBytes), unique.size - found.size);
    return found;
  }
  async listOpen(options: ListOpenOptions = {}): Promise<AlertRecord[]> {
    const open = await this.inner.listOpen(options);
    if (options.appliances === undefined)
      throw new Error('a cycle must list the open alerts of its appliances only');
    for (const a of new Set(options.appliances)) {
      this.queries++;
      this.units += indexQueryUnits(open.filter((r) => r.appliance === a).map(itemBytes));
    }
    return open;
  }
  put(record: AlertRecord, expectedVersion: number): Promise<PutOutcome> {
    return this.inner.put(record, expectedVersion);
  }
}

/** Records the size of each memory part saved. */
class MeteredMemoryStore implements MemoryStore {
  readonly saved = new Map<string, number>();
  constructor(private readonly inner: MemoryStore) {}
  load(key: string): Promise<CyclePart | undefined> {
    return this.inner.load(key);
  }
  save(key: string, part: CyclePart): Promise<void> {
    this.saved.set(key, itemBytes(part));
    return this.inner.save(key, part);
  }
}

function peakRssMb(pid: number | 'self'): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Function-process side: validates the whole inventory, then runs each shard's cycles in turn. */
export async function runFunctionProcess(inventoryFile: string, shardsFile: string): Promise<void> {
  const t0 = performance.now();
  const inv = parseInventoryJson(readFileSync(inventoryFile, 'utf8'), inventoryFile);
  const shards = JSON.parse(readFileSync(shardsFile, 'utf8')) as ShardInput[];
  process.stdout.write(
    `${JSON.stringify({ coldStartMs: performance.now() - t0, peakRssMb: peakRssMb('self'), appliances: inv.appliances.length })}\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'cpq-bench-scale-fn-'));
  let emfBytes = 0;
  const log = new Writable({
    write(chunk: Buffer, _enc, done) {
      emfBytes += chunk.length;
      done();
    },
  });
  const store = new MeteredAlertStore(new FileAlertStore(join(dir, 'alerts.json')));
  const memory = new MeteredMemoryStore(new FileMemoryStore(join(dir, 'memory.json')));
  const deps = {
    probers: ALL_PROBERS,
    store,
    memory,
    notifier: new ConsoleNotifier(new Writable({ write: (_c, _e, done) => done() })),
    sink: new EmfSink(log, { namespace: inv.monitor.namespace }),
    credentials: credentialResolver({ env: { [PASSWORD_ENV]: PASSWORD } }),
  };
  try {
    for (const s of shards) {
      const timeoutMs = cycleTimeoutSeconds(cycleIntervalMinutes(inv, s.cycle)) * 1000;
      const cpu0 = process.cpuUsage();
      const units0 = store.units;
      const queries0 = store.queries;
      const start = performance.now();
      const r = await runCycle(
        {
          inventory: inv,
          kind: s.cycle,
          appliances: s.appliances,
          memoryKey: `shard-${s.shard.index}-of-${s.shard.count}`,
          shard: s.shard,
          deadline: Date.now() + timeoutMs - SAFETY_MS,
        },
        deps,
      );
      const cpu = process.cpuUsage(cpu0);
      const figures: InvocationFigures = {
        cycle: s.cycle,
        shard: s.shard,
        appliances: r.appliances.length,
        probes: r.listener.length,
        reads: r.config.length,
        skipped: r.skipped.length,
        findings: r.findings.length,
        wallMs: performance.now() - start,
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRssMb: peakRssMb('self'),
        emfBytes: r.metrics.report.emfBytes,
        recordBytes: r.metrics.report.recordBytes,
        records: r.metrics.report.records,
        alertReadUnits: store.units - units0,
        alertQueries: store.queries - queries0,
        memoryPartBytes:
          [...memory.saved.entries()].find(
            ([k]) => k.startsWith(`${s.cycle}/`) && k.endsWith(`shard-${s.shard.index}-of-${s.shard.count}`),
          )?.[1] ?? 0,
        problems: r.problems,
      };
      process.stdout.write(`${JSON.stringify(figures)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  void emfBytes;
}

/** Lab-process side: simulates the appliances of an inventory file, prints its inventory, runs until stdin ends. */
export async function serveScaleWorld(file: string): Promise<void> {
  const template = parseInventory(JSON.parse(readFileSync(file, 'utf8')), file);
  const world = await startLabWorld(template, { ephemeralPorts: true, password: PASSWORD });
  process.stdout.write(`${JSON.stringify(world.inventory)}\n`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once('end', resolve));
  await world.close();
}

function child(code: string): {
  child: ChildProcess;
  lines: AsyncIterable<string>;
  exited: Promise<number | null>;
} {
  const root = join(__dirname, '..');
  const c = spawn(process.execPath, ['-e', `require('tsx/cjs/api').register(); ${code}`], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => c.once('exit', resolve));
  return { child: c, lines: createInterface({ input: c.stdout! }), exited };
}

/** Indexes of `n` shards spread over `count` (first and last included). */
export function sampleShards(count: number, n: number): number[] {
  if (n >= count) return Array.from({ length: count }, (_, i) => i);
  if (n === 1) return [0];
  return [...new Set(Array.from({ length: n }, (_, i) => Math.round((i * (count - 1)) / (n - 1))))];
}

async function run(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const full = benchInventory(opts.smas, opts.esasPerSma, 16);
  const inv: Inventory = { ...full, monitor: { ...full.monitor, concurrency: 16 } };
  const probeShards = cycleShards(inv, 'probe');
  const sshShards = cycleShards(inv, 'ssh');
  const picked = sampleShards(probeShards.length, opts.shards);
  out(`Node ${process.version}, ${require('node:os').cpus().length} CPU(s)`);
  out(
    `inventory: ${inv.appliances.length} appliances (${opts.smas} SMAs x ${opts.esasPerSma} ESAs), shard size ${inv.deploy?.shardSize ?? 50} -> ${probeShards.length} probe shards, ${sshShards.length} SSH shards; running shards ${picked.join(', ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'cpq-bench-scale-'));
  try {
    const lab = await startLab(inv, picked, dir, out);
    try {
      const { fnFile, shardsFile } = writeFunctionInputs(inv, lab.inventory, picked, dir);
      out(`function inventory.json: ${(Buffer.byteLength(readFileSync(fnFile)) / 1e6).toFixed(2)} MB`);
      const rows = await runFunction(fnFile, shardsFile, out);
      printInvocations(inv, rows, out);
      out(`lab process peak RSS ${peakRssMb(lab.process.child.pid!).toFixed(1)} MB (not the function's)`);
    } finally {
      lab.process.child.stdin?.end();
      await lab.process.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Out = (s?: string) => void;

/** The module path the child processes require to reach this file's entry points. */
const SELF = JSON.stringify(join(__dirname, 'scale.ts'));

/**
 * Starts the lab process: the sampled shards' appliances and the SMAs their SSH cycles read as
 * context; resolves once it printed its inventory (the simulated appliances on their lab ports).
 */
async function startLab(
  inv: Inventory,
  picked: number[],
  dir: string,
  out: Out,
): Promise<{ process: ReturnType<typeof child>; inventory: Inventory }> {
  const probeShards = cycleShards(inv, 'probe');
  const names = new Set<string>();
  for (const i of picked) for (const n of probeShards[i]!.appliances) names.add(n);
  const owned = inv.appliances.filter((a) => names.has(a.name));
  for (const c of contextAppliances(inv, owned)) names.add(c.name);
  const labFile = join(dir, 'lab.json');
  writeFileSync(
    labFile,
    JSON.stringify({ ...inv, appliances: inv.appliances.filter((a) => names.has(a.name)) }),
  );
  const t = performance.now();
  const lab = child(
    `require(${SELF}).serveScaleWorld(${JSON.stringify(labFile)}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`,
  );
  let labInventory: Inventory | undefined;
  try {
    for await (const line of lab.lines) {
      labInventory = JSON.parse(line) as Inventory;
      break;
    }
    if (labInventory === undefined) throw new Error('the lab process ended before it was ready');
  } catch (err) {
    lab.child.stdin?.end();
    await lab.exited;
    throw err;
  }
  out(
    `lab world of ${names.size} appliances ready in ${((performance.now() - t) / 1000).toFixed(1)} s (pid ${lab.child.pid})`,
  );
  return { process: lab, inventory: labInventory };
}

/**
 * The function's inventory (all appliances, the simulated ones on their lab ports and keys) and
 * the shards it runs (each sampled probe shard and its SSH twin), written where it reads them.
 */
function writeFunctionInputs(
  inv: Inventory,
  labInventory: Inventory,
  picked: number[],
  dir: string,
): { fnFile: string; shardsFile: string } {
  const probeShards = cycleShards(inv, 'probe');
  const sshShards = cycleShards(inv, 'ssh');
  const simulated = new Map(labInventory.appliances.map((a) => [a.name, a]));
  const fnInventory = { ...inv, appliances: inv.appliances.map((a) => simulated.get(a.name) ?? a) };
  const fnFile = join(dir, 'inventory.json');
  writeFileSync(fnFile, JSON.stringify(fnInventory));
  const work: ShardInput[] = [];
  for (const i of picked) {
    work.push(probeShards[i]!);
    const ssh = sshShards.find((s) => s.shard.index === probeShards[i]!.shard.index);
    if (ssh) work.push(ssh);
  }
  const shardsFile = join(dir, 'shards.json');
  writeFileSync(shardsFile, JSON.stringify(work));
  return { fnFile, shardsFile };
}

/** Runs the function process over the shards; its first line is its cold start, then one per invocation. */
async function runFunction(fnFile: string, shardsFile: string, out: Out): Promise<InvocationFigures[]> {
  const fn = child(
    `require(${SELF}).runFunctionProcess(${JSON.stringify(fnFile)}, ${JSON.stringify(shardsFile)}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`,
  );
  const rows: InvocationFigures[] = [];
  let first = true;
  for await (const line of fn.lines) {
    const doc = JSON.parse(line);
    if (first) {
      first = false;
      out(
        `function process: validated ${doc.appliances} appliances in ${doc.coldStartMs.toFixed(0)} ms, RSS ${doc.peakRssMb.toFixed(1)} MB after it`,
      );
      continue;
    }
    rows.push(doc as InvocationFigures);
  }
  await fn.exited;
  return rows;
}

/** The invocations' table, their DynamoDB reads, and per cycle the means and the worst headroom. */
function printInvocations(inv: Inventory, rows: InvocationFigures[], out: Out): void {
  const memoryMb = CYCLE_FUNCTION_SIZING.memoryMb;
  const share = Math.min(1, memoryMb / MB_PER_VCPU);
  out('');
  out(
    `at ${memoryMb} MB (CPU share ${(share * 100).toFixed(0)}% of a vCPU): projected wall = max(measured wall, CPU / share)`,
  );
  out(
    'cycle shard     appl probes reads skip  wall ms   CPU ms  proj ms  timeout  headroom  peak RSS  mem headroom  log bytes (records + EMF)',
  );
  for (const r of rows) {
    const timeoutMs = cycleTimeoutSeconds(cycleIntervalMinutes(inv, r.cycle)) * 1000;
    const projected = Math.max(r.wallMs, r.cpuMs / share);
    out(
      [
        r.cycle.padEnd(5),
        `${r.shard.index}/${r.shard.count}`.padEnd(9),
        String(r.appliances).padStart(4),
        String(r.probes).padStart(6),
        String(r.reads).padStart(5),
        String(r.skipped).padStart(4),
        r.wallMs.toFixed(0).padStart(8),
        r.cpuMs.toFixed(0).padStart(8),
        projected.toFixed(0).padStart(8),
        `${timeoutMs / 1000} s`.padStart(8),
        `${(timeoutMs / projected).toFixed(1)}x`.padStart(9),
        `${r.peakRssMb.toFixed(1)} MB`.padStart(9),
        `${(memoryMb / r.peakRssMb).toFixed(1)}x`.padStart(13),
        `${r.recordBytes} + ${r.emfBytes} (${r.records} records, ${(r.recordBytes / Math.max(1, r.records)).toFixed(0)} B each)`,
      ].join(' '),
    );
    for (const p of r.problems.slice(0, 3)) out(`    problem: ${p}`);
  }
  out('');
  out('DynamoDB reads per invocation (DynamoDB rounding rules, infra/cost/read-units.ts):');
  for (const r of rows) {
    out(
      `  ${r.cycle.padEnd(5)} ${`${r.shard.index}/${r.shard.count}`.padEnd(9)} alert store ${r.alertReadUnits} RU in ${r.alertQueries} index queries; memory part saved ${r.memoryPartBytes} B`,
    );
  }
  for (const c of ['probe', 'ssh'] as const) {
    const rs = rows.filter((r) => r.cycle === c);
    if (rs.length === 0) continue;
    const timeoutMs = cycleTimeoutSeconds(cycleIntervalMinutes(inv, c)) * 1000;
    const proj = Math.max(...rs.map((r) => Math.max(r.wallMs, r.cpuMs / share)));
    const mean = (k: 'wallMs' | 'cpuMs') => rs.reduce((s, r) => s + r[k], 0) / rs.length;
    const meanProjected = rs.reduce((sum, r) => sum + Math.max(r.wallMs, r.cpuMs / share), 0) / rs.length;
    out(
      `${c}: mean wall ${mean('wallMs').toFixed(0)} ms, mean CPU ${mean('cpuMs').toFixed(0)} ms per shard of ${rs[0]!.appliances}; worst projected ${proj.toFixed(0)} ms -> ${(timeoutMs / proj).toFixed(1)}x under the ${timeoutMs / 1000} s timeout`,
    );
    // The figure infra/cost/prices.ts MEASURED takes: Lambda bills the (projected) wall time.
    out(`${c}: mean projected ${(meanProjected / rs[0]!.appliances).toFixed(1)} ms per appliance`);
  }
  const peak = Math.max(...rows.map((r) => r.peakRssMb));
  out(
    `function process peak RSS ${peak.toFixed(1)} MB -> ${(memoryMb / peak).toFixed(1)}x under ${memoryMb} MB`,
  );
}

/** The `scale` section of `npm run bench`. */
export const scaleBench: BenchSection = {
  name: 'scale',
  description:
    "the stack's shards of a 10,000-appliance inventory, sample shards run as the function runs them (--smas 500 --esas-per-sma 19 --shards 4)",
  run,
};
