/**
 * What the benchmark sections share: the section shape `main.ts` runs, `--flag N` options, the
 * RSS sampler and the child process that serves a lab. The sections import it; `main.ts` imports
 * the sections: no import loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** One benchmark section. */
export interface BenchSection {
  name: string;
  description: string;
  /** Options are the command-line words after the section name (empty when all sections run). */
  run(args: string[]): Promise<void>;
}

/**
 * A section's `--flag N` options over its defaults: every flag names a numeric option and takes
 * an integer ≥ `min`; an unknown flag or a bad value is an error listing the flags.
 */
export function parseIntegerOptions<T extends { [K in keyof T]: number }>(
  section: string,
  args: string[],
  defaults: T,
  flags: Record<string, keyof T>,
  min: number,
): T {
  const opts = { ...defaults };
  for (let i = 0; i < args.length; i++) {
    const key = flags[args[i]!];
    const value = Number(args[i + 1]);
    if (!key || !Number.isInteger(value) || value < min) {
      throw new Error(
        `${section} bench: unknown option or bad value at "${args[i]}" (options: ${Object.keys(flags).join(' ')}, each N ≥ ${min})`,
      );
    }
    opts[key] = value as T[keyof T];
    i++;
  }
  return opts;
}

/** This process's RSS, sampled every 10 ms from a GC (when exposed) until `stop`, which gives the peak. */
export function sampleRss(): { before: number; stop(): number } {
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return {
    before,
    stop() {
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage.rss());
      return peak;
    },
  };
}

/** A child process serving a lab for a section, until `stop`. */
export interface ServingChild {
  child: ChildProcess;
  /** The first line the child printed: what it serves, as JSON. */
  ready: unknown;
  stop(): Promise<void>;
}

/**
 * Runs `fn(...args)`, exported by the bench file `file` (TypeScript, through tsx), in a child
 * process, so the figures of this process are the monitor's own; resolves once the child
 * printed its first line (see `serveUntilStdinEnds`).
 */
export async function startServingChild(file: string, fn: string, args: number[]): Promise<ServingChild> {
  const root = join(__dirname, '..');
  const code = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(root, 'bench', file))}).${fn}(${args.join(', ')}).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
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
    ready: JSON.parse(text),
    async stop() {
      child.stdin?.end();
      await exited;
    },
  };
}

/** Child side of `startServingChild`: prints `ready` as one JSON line, then waits until stdin ends. */
export async function serveUntilStdinEnds(ready: unknown): Promise<void> {
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once('end', resolve));
}
