/**
 * Probe benchmark. Two processes besides this one, so each side's memory and CPU are its own:
 * - the lab: `cpq-monitor lab --count N --json` (N simulated CPQ listeners, one RSA certificate set);
 * - the prober: this file bundled with esbuild (as the Lambda is deployed: no TypeScript loader
 *   in memory), which probes every listener with bounded concurrency and reports raw timings.
 * Every probe is a full STARTTLS probe: full handshake (no session resumption), certificate facts,
 * CA chain verification and name check.
 *
 * Part 1 (no latency): wall time, probes/s, per-phase p50/p95/p99, CPU and peak RSS per process.
 * Part 2 (latency L before every lab reply, TLS records included): each probe's time over its
 * round-trip floor, (greeting + EHLO + STARTTLS + TLS flights + QUIT) x L, TLS 1.3 being one flight.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LabManifest } from '../cli/lab';
import { probeMany } from '../shared/probes/probe-many';
import type { ProbeOptions, ProbeTimings } from '../shared/probes/types';
import { type BenchSection, parseIntegerOptions } from './harness';

interface ProbeBenchOptions {
  count: number;
  concurrency: number;
  latencyMs: number;
  latencyCount: number;
  latencyConcurrency: number;
}

const DEFAULTS: ProbeBenchOptions = {
  count: 1000,
  concurrency: 64,
  latencyMs: 20,
  latencyCount: 200,
  // The inventory's default concurrency (DEFAULTS.concurrency in shared/inventory/schema.ts).
  latencyConcurrency: 16,
};

const FLAGS: Record<string, keyof ProbeBenchOptions> = {
  '--count': 'count',
  '--concurrency': 'concurrency',
  '--latency': 'latencyMs',
  '--latency-count': 'latencyCount',
  '--latency-concurrency': 'latencyConcurrency',
};

const ROOT = join(__dirname, '..');

// ---- Child processes ------------------------------------------------------------------------

function procStatus(pid: number | undefined, field: string): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function procCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface LabProcess {
  manifest: LabManifest;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startLabProcess(count: number, latencyMs: number): Promise<LabProcess> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/cpq-monitor.js'),
      'lab',
      '--count',
      String(count),
      '--latency',
      String(latencyMs),
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const manifest = await new Promise<LabManifest>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as LabManifest));
    child.once('exit', (code) => reject(new Error(`the lab process exited (${code}) before it was ready`)));
  });
  lines.close();
  return {
    manifest,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What the prober child is asked to do (stdin) and reports (stdout). */
interface ProberJob {
  targets: ProbeOptions[];
  concurrency: number;
  warmup: number;
}
interface ProberReport {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  heapTotalMb: number;
  results: Array<{ code: string; protocol: string | null; timings: ProbeTimings }>;
}

/** Bundles this file once per run (esbuild, as for Lambda) and returns the bundle's path. */
function bundleProber(dir: string): string {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = join(dir, 'prober.js');
  esbuild.buildSync({
    entryPoints: [join(ROOT, 'bench/probe.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

async function runProber(bundle: string, job: ProberJob): Promise<ProberReport> {
  const child = spawn(process.execPath, ['--expose-gc', bundle], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, CPQ_BENCH_PROBER: '1' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    child.stdin!.end(JSON.stringify(job));
  });
  if (code !== 0) throw new Error(`the prober process exited with ${code}`);
  return JSON.parse(out) as ProberReport;
}

/** Entry of the bundled prober: read the job, probe, report. */
async function proberMain(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const job = JSON.parse(input) as ProberJob;
  // Warm-up (JIT, the first secure context), excluded from the figures.
  await probeMany(job.targets.slice(0, job.warmup), { concurrency: Math.min(10, job.concurrency) });
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await probeMany(job.targets, { concurrency: job.concurrency });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const report: ProberReport = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapTotalMb: process.memoryUsage().heapTotal / 1048576,
    results: results.map((r) => ({ code: r.code, protocol: r.tls?.protocol ?? null, timings: r.timings })),
  };
  process.stdout.write(JSON.stringify(report));
}

// ---- Figures --------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const PHASES: Array<keyof ProbeTimings> = [
  'connectMs',
  'bannerMs',
  'ehloMs',
  'starttlsMs',
  'tlsMs',
  'totalMs',
];

function phaseTable(results: ProberReport['results']): string {
  const rows = [`  ${'phase'.padEnd(11)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'p99'.padStart(9)}   (ms)`];
  for (const phase of PHASES) {
    const values = results.map((r) => r.timings[phase]).filter((v): v is number => v !== undefined);
    values.sort((a, b) => a - b);
    const cell = (p: number) => percentile(values, p).toFixed(2).padStart(9);
    rows.push(`  ${phase.replace(/Ms$/, '').padEnd(11)}${cell(50)}${cell(95)}${cell(99)}`);
  }
  return rows.join('\n');
}

function codeSummary(results: ProberReport['results']): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
  return [...counts].map(([code, n]) => `${code}=${n}`).join(' ');
}

function targetsOf(lab: LabProcess): ProbeOptions[] {
  return lab.manifest.listeners.map((l) => ({
    host: l.host,
    port: l.port,
    ca: lab.manifest.caPem,
    servername: lab.manifest.hostname,
    ehloName: 'bench.cpq-monitor',
    timeoutMs: 10_000,
  }));
}

/** Round trips a successful probe waits for: greeting, EHLO, STARTTLS, TLS flights, QUIT. */
function roundTrips(protocol: string | null): number {
  return 4 + (protocol === 'TLSv1.3' ? 1 : 2);
}

async function run(args: string[]): Promise<void> {
  const opts = parseIntegerOptions('probe', args, DEFAULTS, FLAGS, 0);
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out(`Node ${process.version}, OpenSSL ${process.versions.openssl}, ${cpus().length} CPU(s)`);
  const dir = mkdtempSync(join(tmpdir(), 'cpq-bench-'));
  try {
    const bundle = bundleProber(dir);

    // Part 1: throughput.
    const t = performance.now();
    const lab = await startLabProcess(opts.count, 0);
    out(
      `lab: ${opts.count} listeners in a child process, ready in ${((performance.now() - t) / 1000).toFixed(2)} s`,
    );
    try {
      const labCpu0 = procCpuSeconds(lab.child.pid);
      const report = await runProber(bundle, {
        targets: targetsOf(lab),
        concurrency: opts.concurrency,
        warmup: 20,
      });
      const labCpu = procCpuSeconds(lab.child.pid) - labCpu0;
      const wall = report.wallMs / 1000;
      out(
        `\nthroughput: ${report.results.length} full STARTTLS probes (handshake, certificate facts, CA chain + name check), concurrency ${opts.concurrency}`,
      );
      out(`  results       ${codeSummary(report.results)}`);
      out(`  protocol      ${[...new Set(report.results.map((r) => r.protocol ?? '-'))].join(', ')}`);
      out(`  wall time     ${wall.toFixed(3)} s`);
      out(`  probes/s      ${(report.results.length / wall).toFixed(0)}`);
      out(phaseTable(report.results));
      out(
        `  CPU           prober ${(report.cpuMs / 1000).toFixed(2)} s, lab ${labCpu.toFixed(2)} s (warm-up included for the lab)`,
      );
      out(
        `  peak RSS      prober ${report.maxRssMb.toFixed(1)} MB (V8 heap ${report.heapTotalMb.toFixed(1)} MB), lab ${procStatus(lab.child.pid, 'VmHWM')?.toFixed(1) ?? '?'} MB`,
      );
    } finally {
      await lab.stop();
    }

    // Part 2: latency.
    if (opts.latencyMs > 0 && opts.latencyCount > 0) {
      const slow = await startLabProcess(opts.latencyCount, opts.latencyMs);
      try {
        const report = await runProber(bundle, {
          targets: targetsOf(slow),
          concurrency: opts.latencyConcurrency,
          warmup: 0,
        });
        const ok = report.results.filter((r) => r.code === 'ok');
        const ratios = ok
          .map((r) => r.timings.totalMs / (roundTrips(r.protocol) * opts.latencyMs))
          .sort((a, b) => a - b);
        const mean = ratios.reduce((a, b) => a + b, 0) / Math.max(1, ratios.length);
        const floor = ok[0] ? roundTrips(ok[0].protocol) : Number.NaN;
        out(
          `\nlatency: ${report.results.length} probes, ${opts.latencyMs} ms before every lab reply, concurrency ${opts.latencyConcurrency}`,
        );
        out(`  results       ${codeSummary(report.results)}`);
        out(
          `  floor         ${floor} round trips x ${opts.latencyMs} ms = ${floor * opts.latencyMs} ms per probe`,
        );
        out(
          `  ratio         p50 ${percentile(ratios, 50).toFixed(3)}  p95 ${percentile(ratios, 95).toFixed(3)}  p99 ${percentile(ratios, 99).toFixed(3)}  mean ${mean.toFixed(3)}`,
        );
        out(`  wall time     ${(report.wallMs / 1000).toFixed(3)} s`);
        out(phaseTable(report.results));
      } finally {
        await slow.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `probe` section of `npm run bench`. */
export const probeBench: BenchSection = {
  name: 'probe',
  description: 'N lab listeners probed with full STARTTLS + TLS checks (separate processes); latency ratio',
  run,
};

if (process.env.CPQ_BENCH_PROBER === '1') {
  proberMain().catch((err) => {
    process.stderr.write(`prober: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
