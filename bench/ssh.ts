/**
 * SSH reader benchmark: N simulated AsyncOS appliances (lab SSH CLIs, each with its own host key)
 * in a child process, so the reader's memory is its own; then one read of `status` + `tophosts`
 * per appliance from this process, all in parallel by default. Prints wall time, reads/s,
 * per-read p50/p95/max and the reader's peak RSS. Figures only: it never passes or fails on time.
 */
import { createApplianceState } from '../lab/appliance-state';
import { startLabSshServer } from '../lab/ssh-server';
import { readAppliance } from '../shared/asyncos/reader';
import type { ReadResult } from '../shared/asyncos/types';
import { type BenchSection, sampleRss, serveUntilStdinEnds, startServingChild } from './harness';

interface SshBenchOptions {
  count: number;
  /** Reads in flight at once; default: all of them. */
  concurrency: number | null;
}

interface LabManifestLine {
  appliances: Array<{ port: number; fingerprint: string }>;
}

const USER = 'admin';
const PASSWORD = 'bench-only-password';

function parseArgs(args: string[]): SshBenchOptions {
  const opts: SshBenchOptions = { count: 200, concurrency: null };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = Number(args[i + 1]);
    if (flag === '--count' && Number.isInteger(value) && value > 0) opts.count = value;
    else if (flag === '--concurrency' && Number.isInteger(value) && value > 0) opts.concurrency = value;
    else continue;
    i++;
  }
  return opts;
}

/** Child-process side: starts `count` lab appliances, prints one JSON line, runs until stdin ends. */
export async function serveLab(count: number): Promise<void> {
  const servers = [];
  for (let i = 0; i < count; i++) {
    const state = createApplianceState({
      role: i % 10 === 0 ? 'sma' : 'esa',
      hostname: `esa${String(i).padStart(3, '0')}.lab.example.com`,
      queueSize: i % 7,
    });
    servers.push(await startLabSshServer({ state, username: USER, password: PASSWORD }));
  }
  const manifest: LabManifestLine = {
    appliances: servers.map((s) => ({ port: s.port, fingerprint: s.fingerprint })),
  };
  await serveUntilStdinEnds(manifest);
  await Promise.all(servers.map((s) => s.close()));
}

async function pool<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function run(args: string[]): Promise<void> {
  const opts = parseArgs(args);
  process.stdout.write(`starting ${opts.count} lab SSH appliances in a child process...\n`);
  const lab = await startServingChild('ssh.ts', 'serveLab', [opts.count]);
  const manifest = lab.ready as LabManifestLine;
  try {
    const rss = sampleRss();
    const started = performance.now();
    const results = await pool<LabManifestLine['appliances'][number], ReadResult>(
      manifest.appliances,
      opts.concurrency ?? manifest.appliances.length,
      (a) =>
        readAppliance({
          host: '127.0.0.1',
          port: a.port,
          username: USER,
          auth: { password: PASSWORD },
          hostKeys: [a.fingerprint],
          commands: [{ name: 'status' }, { name: 'tophosts' }],
          timeoutMs: 60_000,
          commandTimeoutMs: 30_000,
        }),
    );
    const wallMs = performance.now() - started;
    const peak = rss.stop();
    const codes = new Map<string, number>();
    for (const r of results) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    const parsedBoth = results.filter((r) =>
      Object.values(r.commands).every((c) => c.parsed !== null),
    ).length;
    const totals = results.map((r) => r.timings.totalMs).sort((a, b) => a - b);
    const connects = results.map((r) => r.timings.connectMs ?? 0).sort((a, b) => a - b);
    const lines = [
      `reads:            ${results.length} (status + tophosts each), concurrency ${opts.concurrency ?? results.length}`,
      `result codes:     ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}; both commands parsed in ${parsedBoth}`,
      `wall time:        ${(wallMs / 1000).toFixed(2)} s   (target < 5 s for 200)`,
      `reads/s:          ${(results.length / (wallMs / 1000)).toFixed(1)}`,
      `per read:         p50 ${percentile(totals, 50)} ms, p95 ${percentile(totals, 95)} ms, max ${totals.at(-1)} ms`,
      `connect+login:    p50 ${percentile(connects, 50)} ms, p95 ${percentile(connects, 95)} ms`,
      `reader RSS:       before ${mb(rss.before)}, peak during reads ${mb(peak)} (sampled every 10 ms), process max ${mb(process.resourceUsage().maxRSS * 1024)}   (target < 150 MB)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await lab.stop();
  }
}

/** The `ssh` section of `npm run bench`. */
export const sshBench: BenchSection = {
  name: 'ssh',
  description:
    'read status + tophosts from N lab AsyncOS appliances over SSH (--count 200, --concurrency all)',
  run,
};
