/**
 * Opening one SSH session to an AsyncOS CLI: resolve the name, connect with a pinned host key,
 * authenticate, open a PTY shell and wait for the first prompt; the open shell is a
 * ShellSession (./shell-session.ts). Every wait has a deadline; nothing here throws for a network
 * or protocol failure, outcomes are data.
 */
import { Client, type ConnectConfig, type KeyboardInteractiveCallback, type Prompt } from 'ssh2';
import { errorMessage } from '../errors';
import { describeKeyBlob, isPinned, type PresentedHostKey } from './fingerprint';
import { type LookupFn, resolveHost } from './resolve';
import { type RunOutcome, ShellSession } from './shell-session';
import type { ReadCode, SshAuth } from './types';

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

type FailCode = Exclude<ReadCode, 'ok'>;

export type OpenOutcome =
  | { ok: true; session: ShellSession; hostKey: string; connectMs: number; banner: string }
  | {
      ok: false;
      code: FailCode;
      message: string;
      hostKey: string | null;
      /** Every form of the key the server presented (null before the key exchange). */
      presented?: PresentedHostKey;
      connectMs?: number;
    };

/** The message of a session cut short by the caller's signal (the CLI's Ctrl-C). */
export function interruptedMessage(host: string, port: number): string {
  return `the SSH session to ${host}:${port} was interrupted before it finished; this says nothing about the appliance`;
}

/** Connects, verifies the host key, authenticates and opens the shell; waits for the first prompt. */
export async function openShellSession(opts: SessionOptions): Promise<OpenOutcome> {
  const started = Date.now();
  const interrupted: OpenOutcome = {
    ok: false,
    code: 'session_failed',
    message: interruptedMessage(opts.host, opts.port),
    hostKey: null,
  };
  if (opts.signal?.aborted) return interrupted;
  const resolved = await resolveHost(opts.host, opts.deadline - Date.now(), opts.lookup, opts.signal);
  if (!resolved.ok) {
    if (resolved.interrupted) return interrupted;
    return { ok: false, code: 'dns_failed', message: resolved.message, hostKey: null };
  }
  return new Promise<OpenOutcome>((resolve) =>
    new ShellOpening(opts, resolved.address, started, resolve).start(),
  );
}

/** The one keyboard-interactive prompt answered with the password (docs/ssh.md, "Credentials"). */
const PLAIN_PASSWORD_PROMPT = /^Password:\s*$/i;

/**
 * True when a login or shell text asks for a new password (expired, must be changed): a
 * keyboard-interactive prompt such as `New password:`, or the CLI's own question after login.
 */
export function demandsPasswordChange(text: string): boolean {
  return /\b(?:new|change|expired|re-?enter|retype|confirm)\b[^\n]{0,40}\bpass(?:word|phrase)|\bpass(?:word|phrase)\b[^\n]{0,40}\b(?:expired|must be changed|change required)/i.test(
    text,
  );
}

/**
 * One opening in progress: the SSH client's events, what was learnt so far (the presented key,
 * how far the connection got) and the one outcome it settles with.
 */
class ShellOpening {
  private readonly client = new Client();
  private hostKey: string | null = null;
  private presented: PresentedHostKey | undefined;
  private mismatch = false;
  private tcpConnected = false;
  private loggedIn = false;
  private connectMs: number | undefined;
  private settled = false;
  private session: ShellSession | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => {
    // The shell, when open, ends its wait for the first prompt; then the connection goes.
    this.session?.interrupt();
    this.fail('session_failed', interruptedMessage(this.opts.host, this.opts.port));
  };

  constructor(
    private readonly opts: SessionOptions,
    private readonly address: string,
    private readonly started: number,
    private readonly resolve: (outcome: OpenOutcome) => void,
  ) {
    this.timer = setTimeout(
      () => this.fail('connect_timeout', this.timeoutMessage()),
      Math.max(1, this.remaining()),
    );
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  start(): void {
    const { client } = this;
    client.on('connect', () => {
      this.tcpConnected = true;
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => this.failOnError(err));
    client.on('close', () => {
      if (this.mismatch) this.failOnMismatch();
      else this.fail('session_failed', `${this.where()} closed the connection before the shell opened`);
    });
    client.on('change password', () => this.passwordChange());
    client.on('keyboard-interactive', (name, instructions, _lang, prompts, reply) =>
      this.answerKeyboard([name, instructions], prompts, reply),
    );
    client.on('ready', () => this.openShell());
    try {
      client.connect(this.connectConfig());
      // Each command is a small write answered by a small read: without this, Nagle's algorithm
      // and delayed ACKs add about 40 ms to every exchange.
      client.setNoDelay(true);
    } catch (err) {
      // ssh2 throws synchronously for an unusable private key.
      this.fail('session_failed', `cannot start the SSH session: ${errorMessage(err)}`);
    }
  }

  private remaining(): number {
    return this.opts.deadline - Date.now();
  }

  private where(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  private connectConfig(): ConnectConfig {
    const { opts } = this;
    const config: ConnectConfig = {
      host: this.address,
      port: opts.port,
      username: opts.username,
      readyTimeout: Math.max(1, this.remaining()),
      keepaliveInterval: 0,
      tryKeyboard: 'password' in opts.auth,
      // Without hostHash, ssh2 hands over the raw key blob: the SHA-256 pin and the MD5 form an
      // older console prints both come from it.
      hostVerifier: (key: Buffer) => {
        this.presented = describeKeyBlob(key);
        this.hostKey = this.presented.sha256;
        const ok = isPinned(this.hostKey, opts.hostKeys);
        this.mismatch = !ok;
        return ok;
      },
    };
    if ('password' in opts.auth) config.password = opts.auth.password;
    else {
      config.privateKey = opts.auth.privateKey;
      if (opts.auth.passphrase !== undefined) config.passphrase = opts.auth.passphrase;
    }
    return config;
  }

  private finish(outcome: OpenOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    if (!outcome.ok) this.client.destroy();
    this.resolve(outcome);
  }

  private fail(code: FailCode, message: string): void {
    this.finish({
      ok: false,
      code,
      message,
      hostKey: this.hostKey,
      ...(this.presented !== undefined ? { presented: this.presented } : {}),
      ...(this.connectMs !== undefined ? { connectMs: this.connectMs } : {}),
    });
  }

  private timeoutMessage(): string {
    if (this.loggedIn) return `logged in to ${this.where()} but the shell did not open in time`;
    if (this.tcpConnected)
      return `${this.where()} accepted TCP but the SSH handshake and login did not finish in time`;
    return `no TCP connection to ${this.where()} (${this.address}) in time`;
  }

  private failOnMismatch(): void {
    this.fail(
      'host_key_mismatch',
      `${this.where()} presented host key ${this.hostKey}, which is not among the ${this.opts.hostKeys.length} pinned key(s); no credential was sent`,
    );
  }

  private failOnError(err: Error & { level?: string; code?: string }): void {
    const where = this.where();
    if (this.mismatch) this.failOnMismatch();
    else if (err.level === 'client-authentication')
      this.fail('auth_failed', `${where} rejected the credentials for user "${this.opts.username}"`);
    else if (err.level === 'client-timeout') this.fail('connect_timeout', this.timeoutMessage());
    else if (err.code === 'ECONNREFUSED')
      this.fail('connect_refused', `${where} (${this.address}) refused the connection`);
    else if (err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH')
      this.fail('connect_timeout', `no TCP connection to ${where}: ${err.code}`);
    else this.fail('session_failed', `SSH session to ${where} failed: ${err.message}`);
  }

  // A demand for a new password is answered by nobody: the monitor never sets a password, and
  // the current one typed at "New password:" would be sent as the new one.
  private passwordChange(): void {
    this.fail(
      'auth_failed',
      `the appliance demands a password change for ${this.opts.username}; nothing was sent`,
    );
  }

  private answerKeyboard(texts: string[], prompts: Prompt[], reply: KeyboardInteractiveCallback): void {
    if ([...texts, ...prompts.map((p) => p.prompt)].some(demandsPasswordChange)) {
      this.passwordChange();
      return;
    }
    // Only the plain login prompt gets the password. Any other prompt, even one that mentions a
    // password ("Password (new):", "Type password to confirm factory reset:"), ends the attempt
    // unanswered: what it would do with the password is unknown.
    const other = prompts.find((p) => !PLAIN_PASSWORD_PROMPT.test(p.prompt));
    if (other !== undefined || !('password' in this.opts.auth)) {
      this.fail(
        'auth_failed',
        `${this.where()} asked ${JSON.stringify(other?.prompt ?? prompts[0]?.prompt ?? '')} during login, which is not a plain password prompt; nothing was answered`,
      );
      return;
    }
    const { password } = this.opts.auth;
    reply(prompts.map(() => password));
  }

  private openShell(): void {
    this.loggedIn = true;
    this.connectMs = Date.now() - this.started;
    this.client.shell({ term: 'vt100', cols: 200, rows: 200 }, (err, stream) => {
      if (err) {
        this.fail('session_failed', `${this.opts.host} refused to open a shell: ${err.message}`);
        return;
      }
      if (this.settled) {
        stream.close();
        return;
      }
      const shell = new ShellSession(this.client, stream, this.opts.quietMs ?? 1500);
      this.session = shell;
      // From here on the session owns the connection; the login timer is replaced by its own.
      clearTimeout(this.timer);
      const wait = Math.max(1, Math.min(this.opts.promptTimeoutMs, this.remaining()));
      shell.waitForPrompt(wait).then((first) => this.afterFirstPrompt(shell, first));
    });
  }

  private afterFirstPrompt(shell: ShellSession, first: RunOutcome): void {
    if (first.state === 'done') {
      this.finish({
        ok: true,
        session: shell,
        hostKey: this.hostKey ?? '',
        connectMs: this.connectMs ?? 0,
        banner: first.output,
      });
      return;
    }
    shell.close();
    if (first.state === 'unexpected_prompt' && demandsPasswordChange(first.question)) {
      // The in-shell variant: the CLI asks for a new password before its first prompt.
      this.passwordChange();
    } else if (first.state === 'unexpected_prompt') {
      this.fail(
        'unexpected_prompt',
        `after login the shell stopped at a question the monitor does not answer (nothing was typed): ${JSON.stringify(first.question)}`,
      );
    } else if (first.state === 'closed') {
      this.fail('session_failed', `${this.opts.host} closed the shell right after login`);
    } else {
      this.fail('session_failed', `logged in to ${this.opts.host} but the CLI never showed its prompt`);
    }
  }
}
