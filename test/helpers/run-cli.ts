/**
 * Runs `cpq-monitor` as an operator does: the package's bin (the built command) in a child process,
 * with optional piped stdin. Every spawned command of the test suite goes through here.
 *
 * No timer of its own: a command that hangs is ended by Jest's test timeout, whichever a test sets,
 * and every child still running when its test file ends is killed then. A busy machine makes runs
 * slower, never different.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The package's `bin` entry, as `npx cpq-monitor` starts it. */
export const BIN = join(__dirname, '../../bin/cpq-monitor.js');

export interface Run {
  /** Exit code; null when a signal ended the command (see `signal`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to this process's environment (LOG_LEVEL is always `silent`). */
  env?: Record<string, string>;
  /**
   * Written to stdin, which is then closed (undefined: closed at once, as a script without a
   * terminal); null keeps it open for the test to write to (`child.stdin`).
   */
  stdin?: string | null;
  cwd?: string;
  /** Node options before the bin, e.g. `['--require', preload]`. */
  node?: string[];
}

/** A command still running: its process, the text so far, and its end. */
export interface Started {
  child: ChildProcessWithoutNullStreams;
  output(): { stdout: string; stderr: string };
  done: Promise<Run>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/**
 * Starts the command. Spawned asynchronously: a lab or stub served by the test's own event loop
 * answers it.
 */
export function startCpqMonitor(args: string[], opts: RunOptions = {}): Started {
  // The runner's own switch for the SDK's Node-version notice (jest.config.js) is not passed on:
  // the command must silence it itself.
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _runnerOnly, ...inherited } = process.env;
  const child = spawn(process.execPath, [...(opts.node ?? []), BIN, ...args], {
    env: { ...inherited, ...opts.env, LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  // A command that exits before reading its input closes the pipe: not the test's failure.
  child.stdin.on('error', () => {});
  if (opts.stdin !== null) child.stdin.end(opts.stdin ?? '');
  const done = new Promise<Run>((resolve, reject) => {
    child.once('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

/** Resolves when the command's output so far matches `pattern` (or rejects when it ends first). */
export async function outputMatching(started: Started, pattern: RegExp): Promise<string> {
  let ended = false;
  void started.done.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );
  for (;;) {
    const { stdout, stderr } = started.output();
    const text = `${stdout}${stderr}`;
    if (pattern.test(text)) return text;
    if (ended) throw new Error(`the command ended before printing ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the command to its end. */
export function cpqMonitor(args: string[], opts: RunOptions = {}): Promise<Run> {
  return startCpqMonitor(args, opts).done;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Characters a terminal would act on, or that hide or reorder text. */
export const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/;
