/**
 * A simulated AsyncOS CLI over SSH (ssh2 Server) on loopback: password, keyboard-interactive and
 * public-key login, a PTY shell with echo, CRLF, banner, prompt, menus and a pager, output drawn
 * from an ApplianceState, and switchable faults. It records every credential attempt and every
 * line typed, so tests can prove what a client sent (and did not send).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { type Connection, type ParsedKey, Server, type ServerChannel, utils } from 'ssh2';
import { fingerprintOfKeyBlob } from '../shared/asyncos/fingerprint';
import { ConfigError } from '../shared/errors';
import type { ApplianceState } from './appliance-state';
import { bannerText, commandSteps, promptFor, type Step } from './asyncos-output';

export type SshFault =
  | 'none'
  | 'wrong_password'
  | 'host_key_changed'
  | 'hang_after_login'
  | 'hang_in_command'
  | 'endless_output'
  | 'unknown_prompt'
  /** Every command ends in `Really commit and reboot? [Y]> ` (an empty line would say yes). */
  | 'yes_no_question'
  /** `showconfig` offers "Mask" under another digit and text than the real CLI's. */
  | 'relabelled_mask_menu';

export const SSH_FAULTS: readonly SshFault[] = [
  'none',
  'wrong_password',
  'host_key_changed',
  'hang_after_login',
  'hang_in_command',
  'endless_output',
  'unknown_prompt',
  'yes_no_question',
  'relabelled_mask_menu',
];

/** The hostile passphrase menu of `relabelled_mask_menu`: "Mask" is option 2, 1 shows them. */
const RELABELLED_MASK_MENU = '\nChoose the passphrase option:\n1. Plain passphrases\n2. Mask passphrases\n';

/** What the server received: credential attempts and typed lines, in order. */
export interface SshRecord {
  connections: number;
  auth: Array<{ username: string; method: string; secret: string | null; accepted: boolean }>;
  /** Every line typed into a shell (menu answers and pager keys included, as empty strings). */
  lines: string[];
  execs: string[];
}

export interface LabSshServerOptions {
  state: ApplianceState;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** OpenSSH public keys (`ssh-ed25519 AAAA...`) accepted for public-key login. */
  authorizedKeys?: string[];
  /** Host key (OpenSSH private key text); generated when absent. */
  hostKey?: string;
  fault?: SshFault;
  /** Lines per page before `-Press Any Key For More-`; default 40. */
  pagerLines?: number;
}

export interface LabSshServer {
  readonly host: string;
  readonly port: number;
  /** `SHA256:...` of the healthy host key (what an operator pins). */
  readonly fingerprint: string;
  /** `SHA256:...` of the key served under `host_key_changed`. */
  readonly changedFingerprint: string;
  readonly fault: SshFault;
  readonly record: SshRecord;
  setFault(fault: SshFault): void;
  close(): Promise<void>;
}

/**
 * An ed25519 key pair in OpenSSH text form that ssh2 can read back. ssh2 1.17's generator now and
 * then (about 1 in 150 here) emits a pair its own parser rejects, so a pair is checked and drawn
 * again (bounded) rather than handed out broken.
 */
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) {
      return { privateKey: pair.private, publicKey: pair.public };
    }
  }
  throw new ConfigError('ssh2 could not generate a readable ed25519 key pair in 20 attempts');
}

/** Generates an ed25519 host key (OpenSSH text) and its fingerprint. */
export function generateHostKey(): { privateKey: string; publicKey: string; fingerprint: string } {
  const pair = generateKeyPair();
  return { ...pair, fingerprint: fingerprintOfPublicKey(pair.publicKey) };
}

/** `SHA256:...` of an OpenSSH public or private key text. */
export function fingerprintOfPublicKey(keyText: string): string {
  const parsed = utils.parseKey(keyText);
  if (parsed instanceof Error) throw new ConfigError(`cannot parse key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return fingerprintOfKeyBlob(key.getPublicSSH());
}

/** Starts the simulated CLI on loopback. */
export async function startLabSshServer(opts: LabSshServerOptions): Promise<LabSshServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new ConfigError(`the lab listens on loopback only, not ${host}`);
  }
  const username = opts.username ?? 'admin';
  const password = opts.password ?? 'ironport';
  const pagerLines = opts.pagerLines ?? 40;
  const healthyKey = opts.hostKey ?? generateHostKey().privateKey;
  const changedKey = generateHostKey().privateKey;
  const authorized = (opts.authorizedKeys ?? []).map((k) => {
    const parsed = utils.parseKey(k);
    if (parsed instanceof Error) throw new ConfigError(`authorized key does not parse: ${parsed.message}`);
    return Array.isArray(parsed) ? parsed[0]! : parsed;
  });
  let fault: SshFault = opts.fault ?? 'none';
  const record: SshRecord = { connections: 0, auth: [], lines: [], execs: [] };
  const sockets = new Set<Socket>();
  const clients = new Set<Connection>();

  const onClient = (client: Connection) => {
    // Lab replies are small and immediate: no Nagle delay (ssh2 has it; its typings do not).
    (client as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const methods: Array<'password' | 'publickey' | 'keyboard-interactive'> = [
        'password',
        'publickey',
        'keyboard-interactive',
      ];
      const deny = () => ctx.reject(methods);
      const note = (method: string, secret: string | null, accepted: boolean) =>
        record.auth.push({ username: ctx.username, method, secret, accepted });
      switch (ctx.method) {
        case 'password': {
          const ok = fault !== 'wrong_password' && ctx.username === username && ctx.password === password;
          note('password', ctx.password, ok);
          return ok ? ctx.accept() : deny();
        }
        case 'keyboard-interactive':
          ctx.prompt([{ prompt: 'Password: ', echo: false }], 'AsyncOS', '', (answers) => {
            const ok = fault !== 'wrong_password' && ctx.username === username && answers[0] === password;
            note('keyboard-interactive', answers[0] ?? null, ok);
            if (ok) ctx.accept();
            else deny();
          });
          return;
        case 'publickey': {
          const key = authorized.find((k) => matchesKey(k, ctx.key.algo, ctx.key.data));
          if (key === undefined || fault === 'wrong_password' || ctx.username !== username) {
            note('publickey', ctx.key.algo, false);
            return deny();
          }
          if (ctx.signature === undefined) return ctx.accept(); // key query: "would you accept this key?"
          const ok = key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true;
          note('publickey', ctx.key.algo, ok);
          return ok ? ctx.accept() : deny();
        }
        default:
          note(ctx.method, null, false);
          return deny();
      }
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        let pty = false;
        session.on('pty', (acceptPty) => {
          pty = true;
          acceptPty?.();
        });
        session.on('exec', (acceptExec, _reject, info) => {
          record.execs.push(info.command);
          const stream = acceptExec();
          stream.write('Exec is not supported by the lab CLI; use the shell.\r\n');
          stream.exit(1);
          stream.end();
        });
        session.on('shell', (acceptShell) => {
          const stream = acceptShell();
          void runShell(stream, pty).catch(() => stream.destroy());
        });
      });
    });
  };

  const normal = new Server({ hostKeys: [healthyKey] }, onClient);
  const changed = new Server({ hostKeys: [changedKey] }, onClient);
  const tcp: NetServer = createServer((socket) => {
    record.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    (fault === 'host_key_changed' ? changed : normal).injectSocket(socket);
  });

  /** The CLI loop of one shell: banner, prompt, read a line, run its steps. */
  async function runShell(stream: ServerChannel, echo: boolean): Promise<void> {
    const input = new LineInput(stream, echo, record);
    const write = (text: string) => writeCrlf(stream, text);
    if (fault === 'hang_after_login') return; // the shell opens, nothing ever comes
    const state = opts.state;
    await write(bannerText(state));
    const prompt = fault === 'unknown_prompt' ? `admin@${state.hostname}:~$ ` : promptFor(state);
    for (;;) {
      await write(prompt);
      const line = await input.next();
      if (line === null) return;
      if (fault === 'hang_in_command') {
        await write('\n');
        return; // echoed, then silence
      }
      if (fault === 'endless_output') {
        await endless(stream, state.hostname);
        return;
      }
      if (/^(?:exit|quit)$/.test(line.trim())) {
        stream.end();
        return;
      }
      if (fault === 'relabelled_mask_menu' && line.trim() === 'showconfig') {
        await write(RELABELLED_MASK_MENU);
        await write('[1]> ');
        const answer = await input.next();
        if (answer === null) return;
        await write(answer === '2' ? '\nMasked.\n' : '\nPlain passphrases: admin=ironport\n');
        continue;
      }
      const ok = await runSteps(commandSteps(state, line), input, write);
      if (!ok) return;
      if (fault === 'yes_no_question') {
        await write('\nReally commit and reboot? [Y]> ');
        const answer = await input.next();
        if (answer === null) return;
        if (answer === '' || /^y/i.test(answer)) {
          await write('\nRebooting...\n');
          stream.end();
          return;
        }
      }
    }
  }

  async function runSteps(
    steps: Step[],
    input: LineInput,
    write: (t: string) => Promise<void>,
  ): Promise<boolean> {
    for (const step of steps) {
      if ('out' in step) {
        if (!(await paged(step.out, input, write))) return false;
      } else {
        await write(step.ask);
        const answer = await input.next();
        if (answer === null) return false;
        if (!(await runSteps(step.next(answer), input, write))) return false;
      }
    }
    return true;
  }

  /** Writes text a page at a time, waiting for a key at `-Press Any Key For More-`. */
  async function paged(
    text: string,
    input: LineInput,
    write: (t: string) => Promise<void>,
  ): Promise<boolean> {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i += pagerLines) {
      const page = lines.slice(i, i + pagerLines);
      const last = i + pagerLines >= lines.length;
      await write(last ? page.join('\n') : `${page.join('\n')}\n`);
      if (!last) {
        await write('-Press Any Key For More-');
        const key = await input.next({ echo: false });
        if (key === null) return false;
        // Erase the pager line the way a terminal CLI does.
        await write(`\r${' '.repeat(24)}\r`);
      }
    }
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port ?? 0, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const address = tcp.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const fingerprint = fingerprintOfPublicKey(healthyKey);
  const changedFingerprint = fingerprintOfPublicKey(changedKey);

  return {
    host,
    port,
    fingerprint,
    changedFingerprint,
    get fault() {
      return fault;
    },
    record,
    setFault(f: SshFault) {
      fault = f;
    },
    async close() {
      for (const c of clients) c.end();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

function matchesKey(key: ParsedKey, algo: string, data: Buffer): boolean {
  const blob = key.getPublicSSH();
  return key.type === algo && blob.length === data.length && timingSafeEqual(blob, data);
}

/** Writes text with CRLF line ends, honouring back-pressure. */
function writeCrlf(stream: ServerChannel, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  const ok = stream.write(text.replace(/\r?\n/g, '\r\n'));
  if (ok) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/** Streams log-like lines forever (the `tail` a monitor must never run), until the channel closes. */
async function endless(stream: ServerChannel, hostname: string): Promise<void> {
  let i = 0;
  while (!stream.destroyed && !stream.writableEnded) {
    await writeCrlf(
      stream,
      `Fri Nov 27 07:00:${String(i % 60).padStart(2, '0')} 2026 Info: ${hostname} MID ${i} queued for delivery\n`,
    );
    i++;
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
}

/** Line input of a PTY shell: echoes what it reads (when a PTY was asked for) and records each line. */
class LineInput {
  private buffer = '';
  private lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private ended = false;
  private echoNext = true;
  private lastWasCr = false;

  constructor(
    private readonly stream: ServerChannel,
    private readonly echo: boolean,
    private readonly record: SshRecord,
  ) {
    stream.on('data', (chunk: Buffer) => this.feed(chunk.toString('utf8')));
    stream.on('close', () => this.finish());
    stream.on('end', () => this.finish());
  }

  private feed(text: string): void {
    for (const ch of text) {
      if (ch === '\n' && this.lastWasCr) {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        if (this.echo && this.echoNext) this.stream.write('\r\n');
        this.push(this.buffer);
        this.buffer = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.buffer.length > 0) {
          this.buffer = this.buffer.slice(0, -1);
          if (this.echo && this.echoNext) this.stream.write('\b \b');
        }
      } else if (ch === '\x03') {
        this.buffer = '';
      } else {
        this.buffer += ch;
        if (this.echo && this.echoNext) this.stream.write(ch);
      }
    }
  }

  private push(line: string): void {
    this.record.lines.push(line);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(line);
    } else this.lines.push(line);
  }

  private finish(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  /** The next line typed, or null once the channel is gone. */
  next(opts: { echo?: boolean } = {}): Promise<string | null> {
    this.echoNext = opts.echo ?? true;
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
