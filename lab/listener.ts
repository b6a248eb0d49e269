/**
 * A simulated CPQ listener on loopback: real SMTP (220 greeting, EHLO listing STARTTLS, STARTTLS)
 * and a real TLS handshake with the lab's certificates, plus a switch for each way a real
 * `cpq_listener` breaks. It never accepts mail: MAIL, RCPT and DATA are refused.
 */
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { ConfigError } from '../shared/errors';
import { createLabCertificates, type LabCertificates } from './certs';

export type { LabCertificates } from './certs';
export { createLabCertificates } from './certs';

/** Every way a lab listener can misbehave (`none` is healthy). */
export type ListenerFault =
  | 'none'
  | 'refused'
  | 'silent'
  | 'slow_drip'
  | 'greeting_421'
  | 'garbage'
  | 'no_starttls'
  | 'starttls_454'
  | 'anonymous_only'
  | 'expired_cert'
  | 'not_yet_valid_cert'
  | 'wrong_cert'
  | 'reset_handshake';

/** All faults, in a stable order (for CLIs and tables). */
export const LISTENER_FAULTS: readonly ListenerFault[] = [
  'none',
  'refused',
  'silent',
  'slow_drip',
  'greeting_421',
  'garbage',
  'no_starttls',
  'starttls_454',
  'anonymous_only',
  'expired_cert',
  'not_yet_valid_cert',
  'wrong_cert',
  'reset_handshake',
];

/** One running lab listener. */
export interface LabListener {
  readonly host: string;
  readonly port: number;
  /** SHA-256 fingerprint (Node colon hex) of the healthy certificate, for pinning. */
  readonly fingerprint256: string;
  /** The lab CA, for --ca tests. */
  readonly caPem: string;
  readonly fault: ListenerFault;
  /** TCP connections accepted so far (a test waits on it to know a probe is in flight). */
  readonly accepted: number;
  /** `refused` stops listening; leaving it listens again on the same port. */
  setFault(fault: ListenerFault): Promise<void>;
  /** Delay before every reply, TLS records included (models a WAN round trip). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** Options of {@link startLabListener}. */
export interface LabListenerOptions {
  /** A loopback address or `localhost`; default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  fault?: ListenerFault;
  latencyMs?: number;
  /** Name in the greeting; default the certificates' hostname. */
  hostname?: string;
  /** Shared certificates; generated for this listener alone when absent (slow for many listeners). */
  certs?: LabCertificates;
}

const MAX_LINE = 4096;
const DRIP_INTERVAL_MS = 1000;

/** True for 127.0.0.0/8, ::1 and `localhost`: the only places the lab may listen. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

type ServerTls = 'healthy' | 'expired' | 'notYetValid' | 'wrong' | 'anonymous';
const contexts = new WeakMap<LabCertificates, Map<ServerTls, SecureContext>>();

/**
 * Server TLS like an appliance whose inbound list still holds anonymous suites: `ALL` (which
 * includes aNULL) at security level 0, TLS 1.0 to 1.3, the CLIENT's preference order. A client
 * offering aNULL first (an ESA outbound list without -aNULL) gets an ADH/AECDH suite and no
 * certificate; a client with a sane list gets the certificate. eNULL is added so a probe can
 * demonstrate the weak-cipher warning by offering a NULL suite; no normal client offers one.
 */
function serverContext(certs: LabCertificates, kind: ServerTls): SecureContext {
  let byKind = contexts.get(certs);
  if (!byKind) {
    byKind = new Map();
    contexts.set(certs, byKind);
  }
  let ctx = byKind.get(kind);
  if (!ctx) {
    if (kind === 'anonymous') {
      ctx = createSecureContext({
        ciphers: 'aNULL:@SECLEVEL=0',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.2',
        dhparam: 'auto',
      });
    } else {
      const cert = certs[kind];
      ctx = createSecureContext({
        cert: cert.certPem,
        key: cert.keyPem,
        ciphers: 'ALL:eNULL:@SECLEVEL=0',
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.3',
        dhparam: 'auto',
        honorCipherOrder: false,
      });
    }
    byKind.set(kind, ctx);
  }
  return ctx;
}

function tlsKindFor(fault: ListenerFault): ServerTls {
  switch (fault) {
    case 'anonymous_only':
      return 'anonymous';
    case 'expired_cert':
      return 'expired';
    case 'not_yet_valid_cert':
      return 'notYetValid';
    case 'wrong_cert':
      return 'wrong';
    default:
      return 'healthy';
  }
}

/** Starts one simulated CPQ listener. */
export async function startLabListener(opts: LabListenerOptions = {}): Promise<LabListener> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new ConfigError(`the lab listens on loopback only (127.0.0.0/8, ::1, localhost), not on "${host}"`);
  }
  const certs = opts.certs ?? (await createLabCertificates({ hostname: opts.hostname }));
  const listener = new Listener(
    host,
    opts.port ?? 0,
    certs,
    opts.hostname ?? certs.hostname,
    opts.latencyMs ?? 0,
  );
  await listener.listen();
  if (opts.fault && opts.fault !== 'none') await listener.setFault(opts.fault);
  return listener;
}

class Listener implements LabListener {
  fault: ListenerFault = 'none';
  latencyMs: number;
  readonly fingerprint256: string;
  readonly caPem: string;
  private server: Server | null = null;
  private boundPort: number;
  private readonly sessions = new Set<Session>();
  private closed = false;
  accepted = 0;

  constructor(
    readonly host: string,
    port: number,
    readonly certs: LabCertificates,
    readonly hostname: string,
    latencyMs: number,
  ) {
    this.boundPort = port;
    this.latencyMs = Math.max(0, latencyMs);
    this.fingerprint256 = certs.healthy.fingerprint256;
    this.caPem = certs.ca.certPem;
  }

  get port(): number {
    return this.boundPort;
  }

  async listen(): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.boundPort }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    // close() stops accepting at once; its callback waits for open sessions, which we do not.
    await new Promise<void>((resolve) => {
      server.close();
      setImmediate(resolve);
    });
  }

  async setFault(fault: ListenerFault): Promise<void> {
    if (this.closed) return;
    const was = this.fault;
    this.fault = fault;
    if (fault === 'refused' && was !== 'refused') await this.stopListening();
    if (fault !== 'refused' && this.server === null) await this.listen();
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const server = this.server;
    this.server = null;
    for (const s of this.sessions) s.destroy();
    this.sessions.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.accepted++;
    const session = new Session(this, socket, () => this.sessions.delete(session));
    this.sessions.add(session);
    session.start();
  }
}

/** One SMTP session on a lab listener. */
class Session {
  private state: 'plain' | 'upgrading' | 'tls' | 'done' = 'plain';
  private stream: Duplex;
  private buffer = '';
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Replies leave in order even if the latency changes mid-session. */
  private nextSendAt = 0;
  private tlsSocket: TLSSocket | null = null;
  /** True when TLS runs over a DelayedStream, which already delays every record. */
  private delayedTransport = false;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);

  constructor(
    private readonly listener: Listener,
    private readonly socket: Socket,
    private readonly onGone: () => void,
  ) {
    this.stream = socket;
    socket.setNoDelay(true);
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  start(): void {
    const { fault, hostname } = this.listener;
    switch (fault) {
      case 'silent':
        return;
      case 'slow_drip': {
        const text = Buffer.from(`220 ${hostname} ESMTP cpq-monitor lab\r\n`);
        let i = 0;
        const drip = setInterval(() => {
          if (i >= text.length || this.socket.destroyed) {
            clearInterval(drip);
            this.timers.delete(drip);
            return;
          }
          this.socket.write(text.subarray(i, i + 1));
          i++;
        }, DRIP_INTERVAL_MS);
        this.timers.add(drip);
        this.stream.on('data', this.onData);
        return;
      }
      case 'greeting_421':
        this.reply(`421 4.3.2 ${hostname} Service not available, closing transmission channel`, true);
        return;
      case 'garbage':
        // What a non-SMTP service answers: here a TLS alert record, as a TLS-only port would send.
        this.send(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46, 0x0d, 0x0a]), true);
        return;
      default:
        this.stream.on('data', this.onData);
        this.reply(`220 ${hostname} ESMTP cpq-monitor lab`);
    }
  }

  destroy(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.tlsSocket?.destroy();
    this.socket.destroy();
    this.onGone();
  }

  /** Sends after the listener's latency; `end` closes the write side afterwards. */
  private send(data: string | Buffer, end = false, then?: () => void): void {
    const out = this.stream;
    const deliver = () => {
      if (this.state === 'done' || out.destroyed) return;
      out.write(data);
      if (end) out.end();
      then?.();
    };
    // Over a delaying transport the TLS records already wait their turn (and keep their order).
    if (this.state === 'tls' && this.delayedTransport) {
      deliver();
      return;
    }
    const latency = this.listener.latencyMs;
    const now = performance.now();
    if (latency === 0 && this.nextSendAt <= now) {
      deliver();
      return;
    }
    const at = Math.max(now + latency, this.nextSendAt);
    this.nextSendAt = at;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      deliver();
    }, at - now);
    this.timers.add(timer);
  }

  private reply(text: string, end = false, then?: () => void): void {
    this.send(`${text}\r\n`, end, then);
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'upgrading' || this.state === 'done') return;
    this.buffer += chunk.toString('latin1');
    let nl = this.buffer.indexOf('\n');
    while (nl !== -1 && this.readingCommands()) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.command(line);
      nl = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > MAX_LINE) {
      this.buffer = '';
      this.reply('500 5.5.2 Line too long', true);
    }
  }

  /** False once STARTTLS or close has taken the stream away from the command reader. */
  private readingCommands(): boolean {
    return this.state === 'plain' || this.state === 'tls';
  }

  private command(line: string): void {
    const { hostname, fault } = this.listener;
    const verb = line.split(' ', 1)[0]!.toUpperCase();
    const tls = this.state === 'tls';
    switch (verb) {
      case 'EHLO': {
        const lines = [hostname, '8BITMIME', 'SIZE 10485760'];
        if (!tls && fault !== 'no_starttls') lines.push('STARTTLS');
        this.reply(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\r\n'));
        return;
      }
      case 'HELO':
        this.reply(`250 ${hostname}`);
        return;
      case 'STARTTLS':
        this.startTls(tls);
        return;
      case 'QUIT':
        this.reply(`221 2.0.0 ${hostname} closing connection`, true);
        return;
      case 'NOOP':
      case 'RSET':
        this.reply('250 2.0.0 OK');
        return;
      case 'MAIL':
      case 'RCPT':
      case 'DATA':
      case 'BDAT':
        // A lab listener is not a mail sink: no transaction ever succeeds.
        this.reply(
          tls
            ? '554 5.7.1 cpq-monitor lab listeners accept no mail'
            : '530 5.7.0 Must issue a STARTTLS command first',
        );
        return;
      default:
        this.reply('500 5.5.1 Command unrecognized');
    }
  }

  private startTls(alreadyTls: boolean): void {
    const fault = this.listener.fault;
    if (alreadyTls) {
      this.reply('503 5.5.1 TLS already active');
      return;
    }
    if (fault === 'no_starttls') {
      this.reply('502 5.5.1 Command not implemented');
      return;
    }
    if (fault === 'starttls_454') {
      this.reply('454 4.7.0 TLS not available due to temporary reason');
      return;
    }
    // Stop reading SMTP now: the next bytes are the ClientHello.
    this.state = 'upgrading';
    this.stream.off('data', this.onData);
    this.socket.pause();
    this.buffer = '';
    this.reply('220 2.0.0 Ready to start TLS', false, () => {
      if (fault === 'reset_handshake') {
        this.socket.once('data', () => this.socket.resetAndDestroy());
        this.socket.resume();
        return;
      }
      this.upgrade(serverContext(this.listener.certs, tlsKindFor(fault)));
    });
  }

  private upgrade(secureContext: SecureContext): void {
    // With latency, TLS records go through a delaying stream; without, TLS runs on the socket itself.
    this.delayedTransport = this.listener.latencyMs > 0;
    const transport: Duplex = this.delayedTransport ? new DelayedStream(this.socket, this) : this.socket;
    const tlsSocket = new TLSSocket(transport as Socket, { isServer: true, secureContext });
    this.tlsSocket = tlsSocket;
    tlsSocket.on('error', () => this.destroy());
    tlsSocket.on('close', () => this.destroy());
    tlsSocket.once('secure', () => {
      if (this.state === 'done') return;
      this.state = 'tls';
      this.stream = tlsSocket;
      tlsSocket.on('data', this.onData);
    });
    this.socket.resume();
  }

  /** Schedules `fn` after the listener's latency, in order with replies (used by DelayedStream). */
  later(fn: () => void): void {
    const latency = this.listener.latencyMs;
    const now = performance.now();
    const at = Math.max(now + latency, this.nextSendAt);
    this.nextSendAt = at;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.state !== 'done') fn();
    }, at - now);
    this.timers.add(timer);
  }
}

/** Passes bytes between a TLS socket and the raw socket, delaying what the server writes. */
class DelayedStream extends Duplex {
  constructor(
    private readonly raw: Socket,
    private readonly session: Session,
  ) {
    super();
    raw.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('close', () => this.destroy());
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session.later(() => this.raw.write(chunk));
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.session.later(() => this.raw.end());
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }
}
