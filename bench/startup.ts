/**
 * `npm run bench -- startup`: how long the built command takes to start, side by side with a bare
 * Node start measured in the same run: `node -e 0`, `node bin/cpq-monitor.js --version` and
 * `node bin/cpq-monitor.js check --help`, each run N times in turn (interleaved, so a change in the
 * machine's load weighs on all three alike); prints the median and spread of each and its ratio to
 * `node -e 0`. Targets: `--version` ≤ 2× and `check --help` ≤ 3× the bare start. `npm run bench`
 * builds the command first, so the figures are of the current sources.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type BenchSection, parseIntegerOptions } from './harness';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'cpq-monitor.js');

/** One measured command line and its target ratio to the bare start (none for the baseline). */
const CASES: { label: string; args: string[]; target?: number }[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'node <bin> --version', args: [BIN, '--version'], target: 2 },
  { label: 'node <bin> check --help', args: [BIN, 'check', '--help'], target: 3 },
];

/** Wall time of one run in ms; throws when the command fails (a broken build measures nothing). */
function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function run(args: string[]): Promise<void> {
  const opts = parseIntegerOptions('startup', args, { runs: 10 }, { '--runs': 'runs' }, 1);
  for (const c of CASES) timeOnce(c.args); // warm the file cache once
  const times = CASES.map(() => [] as number[]);
  for (let i = 0; i < opts.runs; i++) {
    for (const [k, c] of CASES.entries()) times[k]!.push(timeOnce(c.args));
  }
  const base = median(times[0]!);
  process.stdout.write(`startup, median of ${opts.runs} runs each (interleaved), Node ${process.version}\n`);
  CASES.forEach((c, k) => {
    const xs = times[k]!;
    const m = median(xs);
    const ratio = m / base;
    const verdict =
      c.target === undefined ? 'baseline' : `target ≤ ${c.target}×: ${ratio <= c.target ? 'met' : 'NOT met'}`;
    process.stdout.write(
      `  ${c.label.padEnd(26)} ${m.toFixed(0).padStart(5)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})  ${ratio.toFixed(2)}×  ${verdict}\n`,
    );
  });
}

/** The startup section: the built command's start against a bare Node start. */
export const startupBench: BenchSection = {
  name: 'startup',
  description: 'start time of the built command (--version, check --help) against node -e 0',
  run,
};
