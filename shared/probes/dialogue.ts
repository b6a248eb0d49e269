/**
 * The probe's conversation with a listener, phase by phase: name lookup, TCP connect, the plain
 * SMTP dialogue (greeting, EHLO, STARTTLS), the TLS handshake and QUIT. Every wait is bounded by
 * the phase deadline inside the overall one and ended at once by the caller's abort; the sockets
 * are destroyed by `cleanup`. Judging the session is the probe's (probe.ts).
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import {
  checkServerIdentity,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import { PROBE_DEFAULTS } from '../prober/listener-defaults';
import { ignore, type ReadOutcome, SmtpConnection } from './connection';
import {
  connectFailure,
  connectTimeoutFailure,
  dnsFailure,
  endpointText,
  type Failure,
  HANDSHAKE_FAILURES,
  interruptedFailure,
  readFailure,
  refusedFailure,
  SMTP_STEPS,
  type SmtpPhase,
} from './failures';
import { DEFAULT_READER_LIMITS, type SmtpReply } from './smtp-reply';
import type { ProbeOptions, ProbePhase, ProbeTimings } from './types';

let ehloName: string | undefined;
/** This machine's name, read once (os.hostname() is a system call). */
export function defaultEhloName(): string {
  ehloName ??= hostname() || 'cpq-monitor';
  return ehloName;
}

/** What one {@link ProbeDialogue.step} read: the reply (when one came) and the failure, if any. */
export type StepOutcome = { reply: SmtpReply; failure: null } | { reply: SmtpReply | null; failure: Failure };

/** What ends a wait in {@link ProbeDialogue.settle} besides success, and how each ending is reported. */
interface SettleWording {
  /** When the phase started (performance.now()), for its timing. */
  startedAt: number;
  timing: 'connectMs' | 'tlsMs';
  error: (err: NodeJS.ErrnoException) => Failure;
  /** When given, the socket closing before success is a failure too. */
  close?: () => Failure;
  timeout: (elapsedMs: number) => Failure;
}

/** Milliseconds rounded to hundredths, as the timings report them. */
export const round = (ms: number) => Math.round(ms * 100) / 100;

/** One probe's connection to one listener and the time each phase took. */
export class ProbeDialogue {
  phase: ProbePhase = 'dns';
  protected readonly host: string;
  protected readonly port: number;
  protected readonly t0 = performance.now();
  protected readonly deadline: number;
  private readonly phaseMs: number;
  protected readonly timings: Omit<ProbeTimings, 'totalMs'> = {};
  protected socket: Socket | null = null;
  /** The plain-text SMTP conversation on `socket`, until STARTTLS hands the socket to TLS. */
  protected smtp: SmtpConnection | null = null;
  protected tlsSocket: TLSSocket | null = null;
  /** The peer certificate Node built while checking the name, when it did. */
  protected peerCertificate: PeerCertificate | null = null;
  /** True once the caller's signal aborted: the probe ends and says so, whatever a phase saw. */
  interrupted = false;
  /** The waits in progress, each ended by an abort. */
  private readonly abortWaiters = new Set<() => void>();
  private readonly onAbort = () => {
    this.interrupted = true;
    this.cleanup();
    for (const w of [...this.abortWaiters]) w();
  };

  constructor(protected readonly opts: ProbeOptions) {
    this.host = opts.host.startsWith('[') && opts.host.endsWith(']') ? opts.host.slice(1, -1) : opts.host;
    this.port = opts.port ?? PROBE_DEFAULTS.port;
    const timeout = opts.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
    this.deadline = this.t0 + timeout;
    this.phaseMs = opts.phaseTimeoutMs ?? Math.min(timeout, PROBE_DEFAULTS.phaseTimeoutMs);
    if (opts.signal?.aborted) this.interrupted = true;
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Destroys the sockets and lets go of the caller's signal. */
  cleanup(): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.tlsSocket?.destroy();
    this.socket?.destroy();
  }

  /** The failure an interrupted probe reports, in the phase it was in. */
  interruptedFailure(): Failure {
    return interruptedFailure(this.phase);
  }

  /** `p`, or `aborted` as soon as the caller's signal aborts (the wait's socket is destroyed too). */
  protected untilAborted<T>(p: Promise<T>, aborted: T): Promise<T> {
    if (this.opts.signal === undefined) return p;
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        this.abortWaiters.delete(waiter);
        resolve(aborted);
      };
      this.abortWaiters.add(waiter);
      p.then(
        (v) => {
          this.abortWaiters.delete(waiter);
          resolve(v);
        },
        (err: unknown) => {
          this.abortWaiters.delete(waiter);
          reject(err);
        },
      );
      if (this.interrupted) waiter();
    });
  }

  /** Opens the plain-text SMTP conversation on the connected socket. */
  protected startSmtp(): SmtpConnection {
    this.smtp = new SmtpConnection(this.socket!, {
      ...DEFAULT_READER_LIMITS,
      maxLineBytes: this.opts.maxLineBytes ?? PROBE_DEFAULTS.maxLineBytes,
    });
    return this.smtp;
  }

  /**
   * One SMTP exchange of the plain-text dialogue: sends `command` (none for the greeting), reads
   * one reply within the phase deadline, records its time, and fails with `failureCode` when the
   * reply code is not `expected`. The reply is returned whenever one was read.
   */
  protected async step(
    phase: SmtpPhase,
    command: string | null,
    expected: number,
    failureCode: Failure['code'],
  ): Promise<StepOutcome> {
    const smtp = this.smtp!;
    this.phase = phase;
    const t = performance.now();
    if (command !== null) smtp.send(command);
    const outcome = await this.untilAborted(smtp.read(this.phaseDeadline()), {
      kind: 'closed',
    } as ReadOutcome);
    const elapsed = round(performance.now() - t);
    this.timings[SMTP_STEPS[phase].timing] = elapsed;
    if (outcome.kind !== 'reply') return { reply: null, failure: readFailure(outcome, phase, elapsed) };
    const reply = outcome.reply;
    if (reply.code === expected) return { reply, failure: null };
    return { reply, failure: refusedFailure(phase, failureCode, reply, expected) };
  }

  private phaseDeadline(): number {
    return Math.min(this.deadline, performance.now() + this.phaseMs);
  }

  /** The address to connect to: the host itself when it is one, else its first DNS answer. */
  protected async resolve(): Promise<string | Failure> {
    if (isIP(this.host) !== 0) return this.host;
    this.phase = 'dns';
    const t = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, this.phaseDeadline() - performance.now()));
      });
      const answer = await this.untilAborted(Promise.race([lookup(this.host), timeout]), 'timeout' as const);
      if (answer === 'timeout') return dnsFailure(this.host, null);
      return answer.address;
    } catch (err) {
      return dnsFailure(this.host, (err as NodeJS.ErrnoException).code ?? 'error');
    } finally {
      clearTimeout(timer);
      this.timings.dnsMs = round(performance.now() - t);
    }
  }

  /** Opens the TCP connection; null when it is up. */
  protected connect(address: string): Promise<Failure | null> {
    this.phase = 'connect';
    const t = performance.now();
    const where = endpointText(address, this.port);
    const socket = tcpConnect({ host: address, port: this.port });
    this.socket = socket;
    socket.setNoDelay(true);
    return this.settle(socket, 'connect', {
      startedAt: t,
      timing: 'connectMs',
      error: (err) => connectFailure(err, where),
      timeout: (elapsedMs) => {
        socket.destroy();
        return connectTimeoutFailure(where, elapsedMs);
      },
    });
  }

  /** The TLS handshake on the connection STARTTLS opened; null when the session is up. */
  protected handshake(context: SecureContext): Promise<Failure | null> {
    const t = performance.now();
    const servername = this.opts.servername ?? (isIP(this.host) === 0 ? this.host : undefined);
    const tlsSocket = tlsConnect({
      socket: this.socket!,
      secureContext: context,
      rejectUnauthorized: false,
      ...(servername !== undefined ? { servername } : {}),
      // When the chain verifies, Node converts the peer certificate to an object to check the
      // name (the most expensive step of a probe on the client side): keep that object rather
      // than converting it a second time in verdict(). The check itself is Node's own.
      checkServerIdentity: (name, cert) => {
        this.peerCertificate = cert;
        return checkServerIdentity(name, cert);
      },
    });
    this.tlsSocket = tlsSocket;
    const { error, close, timeout } = HANDSHAKE_FAILURES;
    return this.settle(tlsSocket, 'secureConnect', { startedAt: t, timing: 'tlsMs', error, close, timeout });
  }

  /** QUIT over TLS: polite, bounded, and never part of the verdict. */
  protected async quit(): Promise<void> {
    this.phase = 'quit';
    const secure = new SmtpConnection(this.tlsSocket!, DEFAULT_READER_LIMITS);
    secure.send('QUIT');
    await this.untilAborted(
      secure.read(Math.min(this.deadline, performance.now() + PROBE_DEFAULTS.quitTimeoutMs)),
      { kind: 'closed' } as ReadOutcome,
    );
    secure.detach();
  }

  /**
   * Waits until `socket` emits `success` (null) or fails (the failure `how` maps it to), bounded by
   * the phase deadline. Records the phase time, cancels the timer and removes its listeners; an
   * error listener stays so that a late socket error is never unhandled.
   */
  private settle(
    socket: Socket,
    success: 'connect' | 'secureConnect',
    how: SettleWording,
  ): Promise<Failure | null> {
    return new Promise((resolve) => {
      const done = (failure: Failure | null) => {
        clearTimeout(timer);
        this.abortWaiters.delete(onAbort);
        socket.off(success, onSuccess);
        socket.off('error', onError);
        if (how.close) socket.off('close', onClose);
        socket.on('error', ignore);
        this.timings[how.timing] = round(performance.now() - how.startedAt);
        resolve(failure);
      };
      const onSuccess = () => done(null);
      const onError = (err: NodeJS.ErrnoException) => done(how.error(err));
      const onClose = () => done(how.close!());
      const onAbort = () => done(this.interruptedFailure());
      const timer = setTimeout(
        () => done(how.timeout(performance.now() - how.startedAt)),
        Math.max(0, this.phaseDeadline() - performance.now()),
      );
      socket.once(success, onSuccess);
      socket.once('error', onError);
      if (how.close) socket.once('close', onClose);
      this.abortWaiters.add(onAbort);
    });
  }
}
