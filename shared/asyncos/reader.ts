/**
 * The read-only AsyncOS reader: one SSH session per appliance, allow-listed commands only,
 * each command's raw text kept and parsed. `readAppliance` never throws.
 */
import { errorMessage, type Status, worstStatus } from '../errors';
import type { Prober } from '../prober/prober';
import { READ_DEFAULTS } from '../prober/ssh-defaults';
import { commandLine } from './allowlist';
import { commandNamed, type RegisteredCommand } from './commands';
import { isFingerprint, type PresentedHostKey } from './fingerprint';
import { lastLine } from './prompt';
import type { LookupFn } from './resolve';
import { interruptedMessage, type OpenOutcome, openShellSession } from './session';
import type { RunOutcome, ShellSession } from './shell-session';
import type { CommandResult, ReadCode, ReadOptions, ReadResult } from './types';

/** Dependencies a caller may replace (tests resolve names without leaving loopback). */
export interface ReaderDeps {
  lookup?: LookupFn;
  /** Quiet time before an unrecognised prompt ends a wait; default 1500 ms. */
  quietMs?: number;
}

/** The SSH reader as a prober: one read of one appliance, within the cycle's time left for it. */
export function sshReader(
  deps: ReaderDeps = {},
): Prober<Omit<ReadOptions, 'timeoutMs' | 'signal'>, ReadResult> {
  return {
    kind: 'ssh',
    run: (target, timeoutMs, signal) =>
      readAppliance({ ...target, timeoutMs, ...(signal !== undefined ? { signal } : {}) }, deps),
  };
}

/** Reads one appliance over SSH. Always resolves with a ReadResult; never throws. */
export async function readAppliance(opts: ReadOptions, deps: ReaderDeps = {}): Promise<ReadResult> {
  const started = Date.now();
  const port = opts.port ?? READ_DEFAULTS.port;
  const base = { host: opts.host, port, startedAt: new Date(started).toISOString() };
  const fail = (
    code: Exclude<ReadCode, 'ok'>,
    message: string,
    extra: Partial<ReadResult> = {},
  ): ReadResult => ({
    ...base,
    status: 'critical',
    code,
    message,
    hostKey: null,
    timings: { totalMs: Date.now() - started },
    commands: {},
    ...extra,
  });
  try {
    return await read(opts, deps, started, port, fail);
  } catch (err) {
    // A bug, not a network failure: still data, with the cause named.
    return fail('session_failed', `reader failed unexpectedly: ${errorMessage(err)}`);
  }
}

async function read(
  opts: ReadOptions,
  deps: ReaderDeps,
  started: number,
  port: number,
  fail: (code: Exclude<ReadCode, 'ok'>, message: string, extra?: Partial<ReadResult>) => ReadResult,
): Promise<ReadResult> {
  const planned = plannedLines(opts);
  if (!planned.ok) return fail('session_failed', planned.message);
  const timeoutMs = opts.timeoutMs ?? READ_DEFAULTS.timeoutMs;
  const limits: CommandLimits = {
    deadline: started + timeoutMs,
    commandTimeoutMs: opts.commandTimeoutMs ?? READ_DEFAULTS.commandTimeoutMs,
    maxBytes: opts.maxOutputBytes ?? READ_DEFAULTS.maxOutputBytes,
  };

  const signal = opts.signal;
  if (signal?.aborted) return fail('session_failed', interruptedMessage(opts.host, port));
  const open: Opener = () =>
    openShellSession({
      host: opts.host,
      port,
      username: opts.username,
      auth: opts.auth,
      hostKeys: opts.hostKeys,
      deadline: limits.deadline,
      promptTimeoutMs: Math.max(1, Math.min(limits.commandTimeoutMs, limits.deadline - Date.now())),
      ...(deps.quietMs !== undefined ? { quietMs: deps.quietMs } : {}),
      ...(deps.lookup !== undefined ? { lookup: deps.lookup } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
  const opened = await open();
  if (!opened.ok) {
    return fail(opened.code, opened.message, {
      hostKey: opened.hostKey,
      timings: {
        ...(opened.connectMs !== undefined ? { connectMs: opened.connectMs } : {}),
        totalMs: Date.now() - started,
      },
    });
  }

  const commands = await runCommands(opened.session, open, planned.lines, limits, opts);
  if (signal?.aborted) {
    // What the commands saw once the connection was cut is not about the appliance.
    return fail('session_failed', interruptedMessage(opts.host, port), {
      hostKey: opened.hostKey,
      timings: { connectMs: opened.connectMs, totalMs: Date.now() - started },
      commands,
    });
  }

  const results = Object.values(commands);
  const firstBad = results.find((r) => r.code !== 'ok');
  const status: Status = worstStatus(results.map((r) => r.status));
  return {
    host: opts.host,
    port,
    startedAt: new Date(started).toISOString(),
    status,
    code: firstBad?.code ?? 'ok',
    message:
      firstBad === undefined
        ? `read ${results.length} command(s) from ${opts.host}`
        : `${opts.host}: ${firstBad.message}`,
    hostKey: opened.hostKey,
    timings: { connectMs: opened.connectMs, totalMs: Date.now() - started },
    commands,
  };
}

interface PlannedLine {
  command: RegisteredCommand;
  line: string;
}

/**
 * The exact line of every requested command, checked before a connection is opened: a missing or
 * malformed pin, or one refused command, stops the whole read with nothing sent.
 */
function plannedLines(
  opts: ReadOptions,
): { ok: true; lines: PlannedLine[] } | { ok: false; message: string } {
  const badPin = opts.hostKeys.find((k) => !isFingerprint(k));
  if (badPin !== undefined)
    return {
      ok: false,
      message: `host key pin "${badPin}" is not an OpenSSH SHA256: fingerprint; nothing was sent`,
    };
  if (opts.hostKeys.length === 0)
    return {
      ok: false,
      message: 'no host key pinned (get one with: cpq-monitor read HOST --print-host-key); nothing was sent',
    };
  const lines: PlannedLine[] = [];
  for (const req of opts.commands) {
    const decision = commandLine(req);
    if (!decision.allowed) return { ok: false, message: `refused before connecting: ${decision.reason}` };
    lines.push({ command: commandNamed(req.name)!, line: decision.line });
  }
  return { ok: true, lines };
}

interface CommandLimits {
  /** Epoch ms by which the whole read must be over. */
  deadline: number;
  commandTimeoutMs: number;
  maxBytes: number;
}

/** Opens a fresh session to the same appliance, with the same deadline. */
type Opener = () => Promise<OpenOutcome>;

/**
 * Runs the lines one by one and closes the session. A question nobody answers costs only its own
 * command: that session is closed (nothing is typed at an unknown state) and a fresh one is
 * opened for the rest, within the same deadline. After any other command that does not end at the
 * prompt, the rest are marked not run. An abort ends the command in progress at once (it reads as
 * `closed`).
 */
async function runCommands(
  first: ShellSession,
  open: Opener,
  lines: readonly PlannedLine[],
  limits: CommandLimits,
  opts: ReadOptions,
): Promise<Record<string, CommandResult>> {
  const { signal } = opts;
  const commands: Record<string, CommandResult> = {};
  let session: ShellSession | null = first;
  let stop: string | null = null;
  const onAbort = () => session?.interrupt();
  if (signal?.aborted) session.interrupt();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const { command, line } of lines) {
      if (stop === null && session === null) {
        const fresh = await reopen(open, limits);
        if (fresh.ok) session = fresh.session;
        else stop = fresh.reason;
      }
      if (stop !== null || session === null) {
        commands[line] = notRun(stop ?? 'the session ended earlier');
        continue;
      }
      const remaining = limits.deadline - Date.now();
      const outcome = await session.run(line, {
        timeoutMs: Math.max(1, Math.min(limits.commandTimeoutMs, remaining)),
        maxBytes: limits.maxBytes,
      });
      const result = commandResult(command, line, outcome, remaining < limits.commandTimeoutMs, opts);
      commands[line] = result;
      if (outcome.state === 'unexpected_prompt' && !signal?.aborted) {
        session.close();
        session = null;
      } else if (outcome.state !== 'done') stop = `the session ended earlier (${result.code})`;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    session?.close();
  }
  return commands;
}

/** A fresh session for the commands after an unanswered question, or why there is none. */
async function reopen(
  open: Opener,
  limits: CommandLimits,
): Promise<{ ok: true; session: ShellSession } | { ok: false; reason: string }> {
  if (limits.deadline - Date.now() <= 0)
    return { ok: false, reason: 'no time was left for a fresh session after an unanswered question' };
  const opened = await open();
  if (opened.ok) return { ok: true, session: opened.session };
  return {
    ok: false,
    reason: `a fresh session after an unanswered question failed (${opened.code}): ${opened.message}`,
  };
}

function notRun(reason: string): CommandResult {
  return {
    status: 'critical',
    code: 'session_failed',
    message: `not run: ${reason}`,
    cause: `not run: ${reason}`,
    parsed: null,
    raw: '',
  };
}

function commandResult(
  command: RegisteredCommand,
  line: string,
  outcome: RunOutcome,
  sessionDeadlineHit: boolean,
  opts: ReadOptions,
): CommandResult {
  const raw = outcome.output;
  switch (outcome.state) {
    case 'done': {
      const parsed = command.parse(raw, {
        ...(opts.cpqQueueName !== undefined ? { cpqQueueName: opts.cpqQueueName } : {}),
        ...(opts.releaseQueueName !== undefined ? { releaseQueueName: opts.releaseQueueName } : {}),
      });
      if (parsed.ok && parsed.warning !== undefined)
        // Parsed in part: the facts keep what parsed, the warning names what did not.
        return {
          status: 'warning',
          code: 'ok',
          message: `"${line}": ${parsed.warning}`,
          parsed: parsed.facts,
          raw,
        };
      if (parsed.ok)
        return { status: 'ok', code: 'ok', message: `"${line}" read and parsed`, parsed: parsed.facts, raw };
      return {
        status: 'warning',
        code: 'unexpected_output',
        message: `"${line}": ${parsed.reason}`,
        cause: `output not understood: ${parsed.reason}`,
        parsed: null,
        raw,
      };
    }
    case 'timeout':
      return {
        status: 'critical',
        code: 'command_timeout',
        message: sessionDeadlineHit
          ? `"${line}" did not return to the prompt before the session deadline; ${raw.length} characters kept`
          : `"${line}" did not return to the prompt within the command timeout; ${raw.length} characters kept`,
        cause: sessionDeadlineHit
          ? 'no prompt before the session deadline'
          : 'no prompt within the command timeout',
        parsed: null,
        raw,
      };
    case 'overflow':
      return {
        status: 'critical',
        code: 'unexpected_output',
        message: `"${line}" produced more output than the cap without returning to the prompt; session ended`,
        cause: 'output over the cap without a prompt',
        parsed: null,
        raw,
      };
    case 'unexpected_prompt':
      // What it printed before the question is discarded: it may be cut anywhere.
      return {
        status: 'critical',
        code: 'unexpected_prompt',
        message: `"${line}" stopped at a question the monitor does not answer (nothing was typed): ${JSON.stringify(outcome.question)}`,
        cause: `stopped at ${JSON.stringify(lastLine(outcome.question).trim())}`,
        parsed: null,
        raw: '',
      };
    case 'menu_loop':
      return {
        status: 'critical',
        code: 'unexpected_output',
        message: `"${line}" kept showing menus after empty answers; session ended`,
        cause: 'menus kept coming',
        parsed: null,
        raw,
      };
    case 'closed':
      return {
        status: 'critical',
        code: 'session_failed',
        message: `the appliance closed the session during "${line}"`,
        cause: 'the appliance closed the session',
        parsed: null,
        raw,
      };
  }
}

/** Result of fetching a host key for pinning. */
export type HostKeyResult =
  | {
      status: 'ok';
      code: 'ok';
      host: string;
      port: number;
      hostKey: string;
      /** The key's type and legacy MD5 form, to compare with what the appliance console prints. */
      presented: PresentedHostKey;
      message: string;
    }
  | {
      status: 'critical';
      code: Exclude<ReadCode, 'ok'>;
      host: string;
      port: number;
      hostKey: null;
      message: string;
    };

/**
 * Fetches the server's host key fingerprint: the key exchange runs, the key is refused, and the
 * connection ends before any authentication request is sent.
 */
export async function fetchHostKey(
  opts: { host: string; port?: number; timeoutMs?: number },
  deps: ReaderDeps = {},
): Promise<HostKeyResult> {
  const port = opts.port ?? READ_DEFAULTS.port;
  try {
    const out = await openShellSession({
      host: opts.host,
      port,
      username: 'cpq-monitor-host-key-probe',
      auth: { password: '' },
      hostKeys: [],
      deadline: Date.now() + (opts.timeoutMs ?? 10_000),
      promptTimeoutMs: 1,
      ...(deps.lookup !== undefined ? { lookup: deps.lookup } : {}),
    });
    if (!out.ok && out.hostKey !== null && out.presented !== undefined) {
      return {
        status: 'ok',
        code: 'ok',
        host: opts.host,
        port,
        hostKey: out.hostKey,
        presented: out.presented,
        message: `host key of ${opts.host}:${port}`,
      };
    }
    if (out.ok) out.session.close();
    const code = out.ok ? 'session_failed' : out.code;
    const message = out.ok ? 'the server accepted an empty pin list, which cannot happen' : out.message;
    return { status: 'critical', code, host: opts.host, port, hostKey: null, message };
  } catch (err) {
    return {
      status: 'critical',
      code: 'session_failed',
      host: opts.host,
      port,
      hostKey: null,
      message: errorMessage(err),
    };
  }
}
