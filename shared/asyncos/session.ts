/**
 * One SSH session to an AsyncOS CLI: connect with a pinned host key, authenticate, open a PTY
 * shell, wait for the prompt, then run allow-listed command lines one at a time, paging through
 * `-Press Any Key For More-` and answering only the menus the command is known to print, each
 * recognised by its exact text (./commands/menus.ts); any other question ends the session with
 * nothing typed. Every wait has a deadline; nothing here throws for a network or protocol
 * failure, outcomes are data.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { CpqMonitorError, errorMessage } from '../errors';
import { commandTyping, isAllowedAnswer, isAllowedCommandLine } from './allowlist';
import { type KnownMenu, matchMenu } from './commands';
import { describeKeyBlob, isPinned, type PresentedHostKey } from './fingerprint';
import { classifyTail, lastLine, MAX_PROMPT_CHARS, type PromptState } from './prompt';
import { removePagerLines, TerminalDecoder } from './terminal';
import type { ReadCode, SshAuth } from './types';

/** Resolves a host name to one address (dns.lookup by default; a parameter so tests stay on loopback). */
export type LookupFn = (host: string) => Promise<{ address: string; family: number }>;

export interface SessionOptions {
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  /** Pinned fingerprints; an empty list pins nothing, so every key is refused (used by fetchHostKey). */
  hostKeys: readonly string[];
  /** Epoch ms by which everything must be over. */
  deadline: number;
  /** How long to wait for the first prompt after login. */
  promptTimeoutMs: number;
  /** Quiet time after which an unrecognised prompt-like line ends a wait (default 1500 ms). */
  quietMs?: number;
  lookup?: LookupFn;
  /** Ends the opening at once when aborted: the connection is destroyed, the outcome `session_failed`. */
  signal?: AbortSignal;
}

export type OpenOutcome =
  | { ok: true; session: ShellSession; hostKey: string; connectMs: number; banner: string }
  | {
      ok: false;
      code: Exclude<ReadCode, 'ok'>;
      message: string;
      hostKey: string | null;
      /** Every form of the key the server presented (null before the key exchange). */
      presented?: PresentedHostKey;
      connectMs?: number;
    };

/** How one command ended. `output` is the cleaned text between the echoed command and the prompt. */
export type RunOutcome =
  | { state: 'done'; output: string }
  | { state: 'timeout'; output: string }
  | { state: 'overflow'; output: string }
  | { state: 'closed'; output: string }
  /** A question or prompt the command is not known to print; `question` is its text, nothing was typed. */
  | { state: 'unexpected_prompt'; output: string; question: string }
  | { state: 'menu_loop'; output: string };

export interface RunOptions {
  timeoutMs: number;
  maxBytes: number;
}

/** Most menus a single command may walk through before it is judged stuck in a loop. */
const MAX_MENU_ANSWERS = 6;
/** Most pages a single command may page through (a cap on top of the byte cap). */
const MAX_PAGES = 10_000;
/** Lines of text kept above an unexpected question as its evidence. */
const QUESTION_CONTEXT_LINES = 6;

/** The message of a session cut short by the caller's signal (the CLI's Ctrl-C). */
export function interruptedMessage(host: string, port: number): string {
  return `the SSH session to ${host}:${port} was interrupted before it finished; this says nothing about the appliance`;
}

/** Connects, verifies the host key, authenticates and opens the shell; waits for the first prompt. */
export async function openShellSession(opts: SessionOptions): Promise<OpenOutcome> {
  const started = Date.now();
  const remaining = () => opts.deadline - Date.now();
  const interrupted = (): OpenOutcome => ({
    ok: false,
    code: 'session_failed',
    message: interruptedMessage(opts.host, opts.port),
    hostKey: null,
  });
  if (opts.signal?.aborted) return interrupted();
  let address = opts.host;
  if (isIP(opts.host) === 0) {
    const resolved = await withDeadline((opts.lookup ?? defaultLookup)(opts.host), remaining(), opts.signal);
    if (opts.signal?.aborted) return interrupted();
    if (!resolved.ok) {
      const code = (resolved.error as NodeJS.ErrnoException | undefined)?.code;
      const why = resolved.timedOut ? 'no answer in time' : (code ?? errorMessage(resolved.error));
      return { ok: false, code: 'dns_failed', message: `cannot resolve ${opts.host}: ${why}`, hostKey: null };
    }
    address = resolved.value.address;
  }

  return new Promise<OpenOutcome>((resolve) => {
    const client = new Client();
    let hostKey: string | null = null;
    let presented: PresentedHostKey | undefined;
    let mismatch = false;
    let tcpConnected = false;
    let connectMs: number | undefined;
    let settled = false;
    let session: ShellSession | undefined;
    const timer = setTimeout(() => fail('connect_timeout', timeoutMessage()), Math.max(1, remaining()));
    const onAbort = () => {
      // The shell, when open, ends its wait for the first prompt; then the connection goes.
      session?.interrupt();
      fail('session_failed', interruptedMessage(opts.host, opts.port));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: OpenOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (!outcome.ok) client.destroy();
      resolve(outcome);
    };
    const fail = (code: Exclude<ReadCode, 'ok'>, message: string) =>
      finish({
        ok: false,
        code,
        message,
        hostKey,
        ...(presented !== undefined ? { presented } : {}),
        ...(connectMs !== undefined ? { connectMs } : {}),
      });
    let loggedIn = false;
    const timeoutMessage = () =>
      loggedIn
        ? `logged in to ${opts.host}:${opts.port} but the shell did not open in time`
        : tcpConnected
          ? `${opts.host}:${opts.port} accepted TCP but the SSH handshake and login did not finish in time`
          : `no TCP connection to ${opts.host}:${opts.port} (${address}) in time`;

    client.on('connect', () => {
      tcpConnected = true;
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (mismatch) {
        fail(
          'host_key_mismatch',
          `${opts.host}:${opts.port} presented host key ${hostKey}, which is not among the ${opts.hostKeys.length} pinned key(s); no credential was sent`,
        );
      } else if (err.level === 'client-authentication') {
        fail('auth_failed', `${opts.host}:${opts.port} rejected the credentials for user "${opts.username}"`);
      } else if (err.level === 'client-timeout') {
        fail('connect_timeout', timeoutMessage());
      } else if (err.code === 'ECONNREFUSED') {
        fail('connect_refused', `${opts.host}:${opts.port} (${address}) refused the connection`);
      } else if (err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') {
        fail('connect_timeout', `no TCP connection to ${opts.host}:${opts.port}: ${err.code}`);
      } else {
        fail('session_failed', `SSH session to ${opts.host}:${opts.port} failed: ${err.message}`);
      }
    });
    client.on('close', () => {
      if (mismatch) {
        fail(
          'host_key_mismatch',
          `${opts.host}:${opts.port} presented host key ${hostKey}, which is not among the ${opts.hostKeys.length} pinned key(s); no credential was sent`,
        );
      } else {
        fail('session_failed', `${opts.host}:${opts.port} closed the connection before the shell opened`);
      }
    });
    // A demand for a new password is answered by nobody: the monitor never sets a password, and
    // the current one typed at "New password:" would be sent as the new one.
    const passwordChange = () =>
      fail('auth_failed', `the appliance demands a password change for ${opts.username}; nothing was sent`);
    client.on('change password', () => passwordChange());
    client.on('keyboard-interactive', (name, instructions, _lang, prompts, reply) => {
      if ([name, instructions, ...prompts.map((p) => p.prompt)].some(demandsPasswordChange)) {
        passwordChange();
        return;
      }
      // Only a password prompt gets the password; anything else gets an empty answer.
      const password = 'password' in opts.auth ? opts.auth.password : '';
      reply(prompts.map((p) => (/pass(word|phrase)/i.test(p.prompt) ? password : '')));
    });
    client.on('ready', () => {
      loggedIn = true;
      connectMs = Date.now() - started;
      client.shell({ term: 'vt100', cols: 200, rows: 200 }, (err, stream) => {
        if (err) {
          fail('session_failed', `${opts.host} refused to open a shell: ${err.message}`);
          return;
        }
        if (settled) {
          stream.close();
          return;
        }
        session = new ShellSession(client, stream, opts.quietMs ?? 1500);
        const shell = session;
        // From here on the session owns the connection; the login timer is replaced by its own.
        clearTimeout(timer);
        shell.waitForPrompt(Math.max(1, Math.min(opts.promptTimeoutMs, remaining()))).then((first) => {
          if (first.state === 'done') {
            finish({
              ok: true,
              session: shell,
              hostKey: hostKey ?? '',
              connectMs: connectMs ?? 0,
              banner: first.output,
            });
            return;
          }
          shell.close();
          if (first.state === 'unexpected_prompt' && demandsPasswordChange(first.question)) {
            // The in-shell variant: the CLI asks for a new password before its first prompt.
            passwordChange();
          } else if (first.state === 'unexpected_prompt') {
            fail(
              'unexpected_prompt',
              `after login the shell stopped at a question the monitor does not answer (nothing was typed): ${JSON.stringify(first.question)}`,
            );
          } else if (first.state === 'closed') {
            fail('session_failed', `${opts.host} closed the shell right after login`);
          } else {
            fail('session_failed', `logged in to ${opts.host} but the CLI never showed its prompt`);
          }
        });
      });
    });

    const config: ConnectConfig = {
      host: address,
      port: opts.port,
      username: opts.username,
      readyTimeout: Math.max(1, remaining()),
      keepaliveInterval: 0,
      tryKeyboard: 'password' in opts.auth,
      // Without hostHash, ssh2 hands over the raw key blob: the SHA-256 pin and the MD5 form an
      // older console prints both come from it.
      hostVerifier: (key: Buffer) => {
        presented = describeKeyBlob(key);
        hostKey = presented.sha256;
        const ok = isPinned(hostKey, opts.hostKeys);
        mismatch = !ok;
        return ok;
      },
    };
    if ('password' in opts.auth) config.password = opts.auth.password;
    else {
      config.privateKey = opts.auth.privateKey;
      if (opts.auth.passphrase !== undefined) config.passphrase = opts.auth.passphrase;
    }
    try {
      client.connect(config);
      // Each command is a small write answered by a small read: without this, Nagle's algorithm
      // and delayed ACKs add about 40 ms to every exchange.
      client.setNoDelay(true);
    } catch (err) {
      // ssh2 throws synchronously for an unusable private key.
      fail('session_failed', `cannot start the SSH session: ${errorMessage(err)}`);
    }
  });
}

/**
 * True when a login or shell text asks for a new password (expired, must be changed): a
 * keyboard-interactive prompt such as `New password:`, or the CLI's own question after login.
 */
export function demandsPasswordChange(text: string): boolean {
  return /\b(?:new|change|expired|re-?enter|retype|confirm)\b[^\n]{0,40}\bpass(?:word|phrase)|\bpass(?:word|phrase)\b[^\n]{0,40}\b(?:expired|must be changed|change required)/i.test(
    text,
  );
}

async function defaultLookup(host: string): Promise<{ address: string; family: number }> {
  return dnsLookup(host);
}

type Deadlined<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error?: unknown };

/** `p`'s outcome, or a time-out after `ms`, or a failure as soon as `signal` aborts. */
async function withDeadline<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<Deadlined<T>> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<Deadlined<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, timedOut: true }), Math.max(1, ms));
    onAbort = () => resolve({ ok: false, timedOut: false, error: signal?.reason });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      p
        .then((value): Deadlined<T> => ({ ok: true, value }))
        .catch((error): Deadlined<T> => ({ ok: false, timedOut: false, error })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

/** An open PTY shell on the AsyncOS CLI. One command at a time. */
export class ShellSession {
  private readonly decoder = new TerminalDecoder();
  private prompt: string | undefined;
  private closed = false;
  /** Every line typed into the shell, for the caller's audit. */
  readonly typed: string[] = [];
  private onData: ((bytes: number) => void) | null = null;
  private onClose: (() => void) | null = null;

  constructor(
    private readonly client: Client,
    private readonly stream: ClientChannel,
    private readonly quietMs: number,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.decoder.push(chunk);
      this.onData?.(Buffer.byteLength(chunk));
    });
    stream.stderr.on('data', () => {});
    stream.on('close', () => {
      this.closed = true;
      this.onClose?.();
    });
    client.on('close', () => {
      this.closed = true;
      this.onClose?.();
    });
  }

  /** The CLI prompt learned at login (e.g. `mail1.example.com> `). */
  get cliPrompt(): string | undefined {
    return this.prompt;
  }

  /** Waits for the first CLI prompt; the banner (everything before it) is the output. */
  waitForPrompt(timeoutMs: number): Promise<RunOutcome> {
    return this.collect({ timeoutMs, maxBytes: 1024 * 1024 }, null).then((r) => {
      if (r.state === 'done') this.prompt = lastLine(this.decoder.text);
      return r;
    });
  }

  /** Types one allow-listed command line and collects its output up to the next prompt. */
  run(line: string, opts: RunOptions): Promise<RunOutcome> {
    const command = commandTyping(line);
    if (command === undefined) {
      return Promise.reject(
        new CpqMonitorError(
          'command_refused',
          `refused to type ${JSON.stringify(line.slice(0, 200))}: not an allow-listed command line`,
        ),
      );
    }
    return this.collect(opts, line, command.menus ?? []);
  }

  private type(text: string): boolean {
    // The last guard of the read-only guarantee: nothing outside the allow-list ever leaves, whoever
    // the caller is (a command line checked by the reader, or an answer chosen from the output).
    if (!isAllowedAnswer(text) && !isAllowedCommandLine(text)) return false;
    this.typed.push(text);
    this.stream.write(`${text}\n`);
    return true;
  }

  /** The question on screen: the prompt line and a few lines above it, for evidence. */
  private question(prompt: string): string {
    const above = this.linesAbovePrompt()
      .filter((l) => l.trim() !== '')
      .slice(-QUESTION_CONTEXT_LINES);
    return [...above, prompt].join('\n').trim();
  }

  /** The decoded lines before the line in progress (the prompt). */
  private linesAbovePrompt(): string[] {
    const text = this.decoder.text;
    const lines = text.slice(0, text.length - this.decoder.currentLine.length).split('\n');
    lines.pop(); // the empty piece after the last newline
    return lines;
  }

  private collect(
    opts: RunOptions,
    line: string | null,
    known: readonly KnownMenu[] = [],
  ): Promise<RunOutcome> {
    this.decoder.reset();
    if (this.closed) return Promise.resolve({ state: 'closed', output: '' });
    return new Promise<RunOutcome>((resolve) => {
      let bytes = 0;
      let answeredAt = -1;
      let menus = 0;
      let pages = 0;
      let quiet: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => end('timeout'), Math.max(1, opts.timeoutMs));
      const end = (state: RunOutcome['state'], question?: string) => {
        clearTimeout(timer);
        clearTimeout(quiet);
        this.onData = null;
        this.onClose = null;
        const output = this.output(line, state === 'done');
        if (state === 'unexpected_prompt') resolve({ state, output, question: question ?? '' });
        else resolve({ state, output } as RunOutcome);
      };
      const examine = () => {
        const length = this.decoder.length;
        if (length === answeredAt) return;
        const tail = this.tail();
        if (tail.kind !== 'unknown_prompt') clearTimeout(quiet);
        switch (tail.kind) {
          case 'cli':
            // The echoed command line can itself look like "host> status"; only a bare prompt counts.
            end('done');
            return;
          case 'pager':
            if (++pages > MAX_PAGES) return end('overflow');
            answeredAt = length;
            this.type('');
            return;
          case 'menu': {
            // Only a menu this command is known to print, recognised by its exact text, gets an
            // answer; anything else (`Really commit and reboot? [Y]> `, a relabelled option) ends
            // the session before a key is typed: an empty line would take whatever default it has.
            const menu = matchMenu(known, this.linesAbovePrompt(), tail.prompt);
            if (menu === null || !isAllowedAnswer(menu.answer))
              return end('unexpected_prompt', this.question(tail.prompt));
            if (++menus > MAX_MENU_ANSWERS) return end('menu_loop');
            answeredAt = length;
            this.type(menu.answer);
            return;
          }
          case 'unknown_prompt':
            // Wait for quiet: slow output can pause on a line that only looks like a prompt.
            clearTimeout(quiet);
            quiet = setTimeout(() => {
              const now = this.tail();
              if (now.kind === 'unknown_prompt') end('unexpected_prompt', this.question(now.prompt));
            }, this.quietMs);
            return;
          case 'none':
            return;
        }
      };
      this.onData = (n) => {
        bytes += n;
        if (bytes > opts.maxBytes) return end('overflow');
        examine();
      };
      this.onClose = () => end('closed');
      if (line !== null) this.type(line);
      else examine();
    });
  }

  /**
   * What the shell waits for, judged from the line in progress only: a line longer than any prompt
   * is output still arriving, and is not scanned (each chunk costs its own size, never the total).
   */
  private tail(): PromptState {
    const line = this.decoder.currentLine;
    if (line.length > MAX_PROMPT_CHARS) return { kind: 'none' };
    return classifyTail(line, this.prompt);
  }

  /** Output of the current command: without its echo, its closing prompt and pager lines. */
  private output(line: string | null, done: boolean): string {
    let text = this.decoder.text;
    if (done) text = text.slice(0, text.length - lastLine(text).length);
    if (line !== null) {
      const nl = text.indexOf('\n');
      const first = nl === -1 ? text : text.slice(0, nl);
      if (first.trimEnd().endsWith(line)) text = nl === -1 ? '' : text.slice(nl + 1);
    }
    return removePagerLines(text);
  }

  /**
   * Ends the wait in progress (as `closed`) and the connection at once, typing nothing: the
   * caller was interrupted and will not wait for the appliance.
   */
  interrupt(): void {
    const pending = this.onClose;
    this.close();
    this.client.destroy();
    pending?.();
  }

  /** Closes the shell and the connection without typing anything (no `exit` is sent). */
  close(): void {
    this.closed = true;
    this.onData = null;
    try {
      this.stream.close();
    } catch {
      // Already closed.
    }
    this.client.end();
    // A server that ignores the close still gets its socket destroyed.
    setImmediate(() => this.client.destroy());
  }
}
