/**
 * A simulated CPQ listener on loopback: real SMTP (220 greeting, EHLO listing STARTTLS, STARTTLS)
 * and a real TLS handshake with the lab's certificates, plus a switch for each way a real
 * `cpq_listener` breaks (./listener-faults.ts). It never accepts mail: MAIL, RCPT and DATA are
 * refused. The dialogue is ./smtp-session.ts, the server TLS ./listener-tls.ts.
 */
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { ConfigError } from '../shared/errors';
import { createLabCertificates, type LabCertificates } from './certs';
import type { ListenerFault } from './listener-faults';
import { type SessionHost, SmtpSession } from './smtp-session';

export type { LabCertificates } from './certs';
export { createLabCertificates } from './certs';

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

/** True for 127.0.0.0/8, ::1 and `localhost`: the only places the lab may listen. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
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

class Listener implements LabListener, SessionHost {
  fault: ListenerFault = 'none';
  latencyMs: number;
  readonly fingerprint256: string;
  readonly caPem: string;
  private server: Server | null = null;
  private boundPort: number;
  private readonly sessions = new Set<SmtpSession>();
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
    const session = new SmtpSession(this, socket, () => this.sessions.delete(session));
    this.sessions.add(session);
    session.start();
  }
}
