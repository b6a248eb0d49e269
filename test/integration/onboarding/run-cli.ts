/** Runs `cpq-monitor` as an operator does: a child process, optional piped stdin, bounded in time. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const BIN = join(__dirname, '../../../bin/cpq-monitor.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawned asynchronously: the lab answers from this test's event loop. `stdin` is written and
 * closed (undefined: closed at once, as a script without a terminal would).
 */
export function cpqMonitor(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<Run> {
  // The runner's own switch for the SDK's Node-version notice (jest.config.js) is not passed on:
  // the command must silence it itself.
  const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _runnerOnly, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...inherited, ...opts.env, LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 55_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
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
