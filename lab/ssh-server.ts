/**
 * A simulated AsyncOS CLI over SSH (ssh2 Server) on loopback: password, keyboard-interactive and
 * public-key login (./ssh-auth.ts), a PTY shell with echo, CRLF, banner, prompt, menus and a pager
 * (./ssh-shell.ts), output drawn from an ApplianceState, and switchable faults. It records every
 * credential attempt and every line typed, so tests can prove what a client sent (and did not send).
 */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { type Connection, Server } from 'ssh2';
import { ConfigError } from '../shared/errors';
import type { ApplianceState } from './appliance-state';
import { authenticate, type LabLogin } from './ssh-auth';
import type { SshFault } from './ssh-faults';
import { fingerprintOfPublicKey, generateHostKey, parseAuthorizedKeys } from './ssh-keys';
import { type LabShell, runShell } from './ssh-shell';

/** What the server received: credential attempts and typed lines, in order. */
export interface SshRecord {
  connections: number;
  auth: Array<{ username: string; method: string; secret: string | null; accepted: boolean }>;
  /** Every line typed into a shell (menu answers and pager keys included, as empty strings). */
  lines: string[];
  /** Every answer typed at the `yes_no_question` fault's question (a careful reader types none). */
  questionAnswers: string[];
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
  /**
   * Switches the fault; `command` is the command after which `yes_no_question` asks (its first
   * word, default `status`), every other command answering normally.
   */
  setFault(fault: SshFault, command?: string): void;
  close(): Promise<void>;
}

/** Starts the simulated CLI on loopback. */
export async function startLabSshServer(opts: LabSshServerOptions): Promise<LabSshServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new ConfigError(`the lab listens on loopback only, not ${host}`);
  }
  const healthyKey = opts.hostKey ?? generateHostKey().privateKey;
  const changedKey = generateHostKey().privateKey;
  let fault: SshFault = opts.fault ?? 'none';
  let faultCommand = 'status';
  const record: SshRecord = { connections: 0, auth: [], lines: [], questionAnswers: [], execs: [] };
  const login: LabLogin = {
    username: opts.username ?? 'admin',
    password: opts.password ?? 'ironport',
    authorized: parseAuthorizedKeys(opts.authorizedKeys ?? []),
    fault: () => fault,
    note: (attempt) => record.auth.push(attempt),
  };
  const shell: LabShell = {
    state: opts.state,
    fault: () => fault,
    faultCommand: () => faultCommand,
    pagerLines: opts.pagerLines ?? 40,
    onLine: (line) => record.lines.push(line),
    onQuestionAnswer: (answer) => record.questionAnswers.push(answer),
  };
  const sockets = new Set<Socket>();
  const clients = new Set<Connection>();
  const onClient = (client: Connection) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    serveClient(client, login, shell, record);
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
  const port = await listen(tcp, host, opts.port ?? 0);

  return {
    host,
    port,
    fingerprint: fingerprintOfPublicKey(healthyKey),
    changedFingerprint: fingerprintOfPublicKey(changedKey),
    get fault() {
      return fault;
    },
    record,
    setFault(f: SshFault, command = 'status') {
      fault = f;
      faultCommand = command;
    },
    async close() {
      for (const c of clients) c.end();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** One SSH client: login, then sessions whose shells run the CLI (exec is refused, as on the appliance). */
function serveClient(client: Connection, login: LabLogin, shell: LabShell, record: SshRecord): void {
  // Lab replies are small and immediate: no Nagle delay (ssh2 has it; its typings do not).
  (client as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
  client.on('error', () => {});
  client.on('authentication', (ctx) => authenticate(ctx, login));
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
        void runShell(stream, pty, shell).catch(() => stream.destroy());
      });
    });
  });
}

/** Listens on `host:port` (0: any free port) and returns the bound port. */
async function listen(tcp: NetServer, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const address = tcp.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
