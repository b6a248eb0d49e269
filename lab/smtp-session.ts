/**
 * One SMTP session on a lab listener: the greeting (or the fault that replaces it), EHLO with or
 * without STARTTLS, the STARTTLS upgrade, and the refusal of any mail transaction. Every reply
 * waits the listener's latency and leaves in order.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { LabCertificates } from './certs';
import type { ListenerFault } from './listener-faults';
import { DelayedStream, serverContext, tlsKindFor } from './listener-tls';

/** What a session reads from its listener, at the moment it needs it (faults switch at run time). */
export interface SessionHost {
  readonly fault: ListenerFault;
  readonly hostname: string;
  readonly latencyMs: number;
  readonly certs: LabCertificates;
}

const MAX_LINE = 4096;
const DRIP_INTERVAL_MS = 1000;

/** One SMTP session on a lab listener. */
export class SmtpSession {
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
    private readonly listener: SessionHost,
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
    const immediate =
      (this.state === 'tls' && this.delayedTransport) ||
      (this.listener.latencyMs === 0 && this.nextSendAt <= performance.now());
    if (immediate) deliver();
    else this.later(deliver);
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
