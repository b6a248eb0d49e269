/**
 * The CPQ listener probe: what an ESA or SMA does when it delivers to a `cpq_listener` —
 * TCP, 220 greeting, EHLO, STARTTLS, TLS handshake, certificate checks, QUIT — never sending mail.
 * One call, one tagged result; every phase has a deadline inside the overall one, and every
 * socket and timer is released before the promise settles.
 */
import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import {
  checkServerIdentity,
  createSecureContext,
  DEFAULT_CIPHERS,
  DEFAULT_MIN_VERSION,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import { errorMessage } from '../errors';
import { cipherListAllowsAnonymous, cipherListAllowsNoEncryption } from '../tls/ciphers';
import { judgeSession, type PeerCertificates, TLS_WARNING_TEXT, tlsWarnings } from '../tls/judgement';
import type { TlsFacts } from '../tls/types';
import { parseCaBundle } from '../tls/verify';
import { isWeakTlsProtocol, type TlsVersion, tlsVersionRank } from '../tls/versions';
import { ignore, type ReadOutcome, SmtpConnection } from './connection';
import {
  DEFAULT_READER_LIMITS,
  escapedExcerpt,
  offersStarttls,
  parseEhloExtensions,
  type SmtpReply,
} from './smtp-reply';
import type { ProbeCode, ProbeOptions, ProbePhase, ProbeResult, ProbeTimings, ProbeWarning } from './types';

/** Defaults of {@link ProbeOptions}, in one place. */
export const PROBE_DEFAULTS = {
  port: 7025,
  timeoutMs: 10_000,
  phaseTimeoutMs: 5_000,
  expiryWarnDays: 30,
  maxLineBytes: 4096,
  /** How long the probe waits for the 221 after QUIT; it never changes the verdict. */
  quitTimeoutMs: 1_000,
} as const;

/** What the probe offers in the handshake, after defaults and the adjustments below. */
export interface ClientTlsSettings {
  ciphers: string;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** Why the settings differ from what was asked (for the report), empty when they do not. */
  notes: string[];
}

/**
 * The TLS settings a probe really uses. An appliance's OpenSSL has no security levels, so a list
 * given by the caller gets `@SECLEVEL=0` (OpenSSL 3 otherwise refuses aNULL suites and the SHA-1
 * signatures of TLS < 1.2). aNULL suites do not exist in TLS 1.3, so a list that can negotiate
 * one is capped at TLS 1.2 unless a maximum was asked for: otherwise TLS 1.3 would hide exactly
 * the anonymous-cipher failure the probe exists to show; the same holds for NULL-encryption suites.
 */
export function clientTlsSettings(
  opts: Pick<ProbeOptions, 'ciphers' | 'minVersion' | 'maxVersion'>,
): ClientTlsSettings {
  const notes: string[] = [];
  let maxVersion: TlsVersion = opts.maxVersion ?? 'TLSv1.3';
  const wantsOldVersions =
    (opts.minVersion !== undefined && isWeakTlsProtocol(opts.minVersion)) ||
    (opts.maxVersion !== undefined && isWeakTlsProtocol(opts.maxVersion));
  let ciphers = opts.ciphers ?? DEFAULT_CIPHERS;
  if ((opts.ciphers !== undefined || wantsOldVersions) && !/@SECLEVEL=/i.test(ciphers)) {
    ciphers = `${ciphers}:@SECLEVEL=0`;
  }
  if (opts.ciphers !== undefined && opts.maxVersion === undefined) {
    const verdict = cipherListAllowsAnonymous(opts.ciphers);
    if (verdict.allowsAnonymous) {
      maxVersion = 'TLSv1.2';
      notes.push(
        `TLS capped at TLSv1.2 because the cipher list can negotiate anonymous suites (${verdict.reason})`,
      );
    } else if (cipherListAllowsNoEncryption(opts.ciphers)) {
      // NULL suites do not exist in TLS 1.3 either: the same cap shows a clear-text session.
      maxVersion = 'TLSv1.2';
      notes.push(
        'TLS capped at TLSv1.2 because the cipher list can negotiate suites without encryption (eNULL)',
      );
    }
  }
  let minVersion: TlsVersion = opts.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion);
  if (opts.minVersion === undefined && tlsVersionRank(minVersion) > tlsVersionRank(maxVersion))
    minVersion = 'TLSv1';
  return { ciphers, minVersion, maxVersion, notes };
}

// Secure contexts are configuration (cipher list, versions), not session state: sharing them
// across probes saves building one per probe, but every probe still does a full handshake (no
// session is ever offered for resumption). The CA bundle is deliberately not in the context: the
// probe verifies the chain itself (shared/tls/verify.ts), see verdict().
const contextCache = new Map<string, SecureContext>();
const CONTEXT_CACHE_MAX = 32;

function secureContextFor(settings: ClientTlsSettings): SecureContext {
  const key = `${settings.ciphers}\0${settings.minVersion}\0${settings.maxVersion}`;
  let ctx = contextCache.get(key);
  if (!ctx) {
    ctx = createSecureContext({
      ciphers: settings.ciphers,
      minVersion: settings.minVersion,
      maxVersion: settings.maxVersion,
    });
    if (contextCache.size >= CONTEXT_CACHE_MAX) contextCache.delete(contextCache.keys().next().value!);
    contextCache.set(key, ctx);
  }
  return ctx;
}

/** Which option a problem of `checkProbeOptions` is about (the caller names it in its own words). */
export type ProbeOptionField = 'ciphers' | 'minVersion' | 'maxVersion' | 'ca';

/**
 * Why the options cannot work (bad cipher string, min above max...) and which option each
 * sentence is about, else null.
 */
export function checkProbeOptions(opts: ProbeOptions): { field: ProbeOptionField; message: string } | null {
  if (
    opts.minVersion &&
    opts.maxVersion &&
    tlsVersionRank(opts.minVersion) > tlsVersionRank(opts.maxVersion)
  ) {
    return {
      field: 'minVersion',
      message: `minimum TLS version ${opts.minVersion} is above maximum ${opts.maxVersion}`,
    };
  }
  try {
    secureContextFor(clientTlsSettings(opts));
  } catch (err) {
    // A bad version is caught above or by the type; what OpenSSL refuses here is the cipher string.
    return {
      field: 'ciphers',
      message: `OpenSSL refuses the cipher list "${opts.ciphers ?? DEFAULT_CIPHERS}": ${errorMessage(err)}`,
    };
  }
  if (opts.ca !== undefined) {
    try {
      if (parseCaBundle(opts.ca).length === 0)
        return { field: 'ca', message: 'the CA bundle holds no PEM certificate' };
    } catch (err) {
      return { field: 'ca', message: `the CA bundle does not parse: ${errorMessage(err)}` };
    }
  }
  return null;
}

let ehloName: string | undefined;
/** This machine's name, read once (os.hostname() is a system call). */
function defaultEhloName(): string {
  ehloName ??= hostname() || 'cpq-monitor';
  return ehloName;
}

type Failure = { code: Exclude<ProbeCode, 'ok'>; phase: ProbePhase; message: string };

/** The phases of the plain-text SMTP dialogue before TLS. */
type SmtpPhase = 'banner' | 'ehlo' | 'starttls';

/** What one {@link ProbeRun.step} read: the reply (when one came) and the failure, if any. */
type StepOutcome = { reply: SmtpReply; failure: null } | { reply: SmtpReply | null; failure: Failure };

/** What ends a wait in {@link ProbeRun.settle} besides success, and how each ending is reported. */
interface SettleWording {
  /** When the phase started (performance.now()), for its timing. */
  startedAt: number;
  timing: 'connectMs' | 'tlsMs';
  error: (err: NodeJS.ErrnoException) => Failure;
  /** When given, the socket closing before success is a failure too. */
  close?: () => Failure;
  timeout: (elapsedMs: number) => Failure;
}

/** How each SMTP step is timed and worded in failures (messages are part of the CLI output). */
const SMTP_STEPS: Record<
  SmtpPhase,
  {
    timing: 'bannerMs' | 'ehloMs' | 'starttlsMs';
    /** Code when no complete reply arrives in time. */
    timeoutCode: Failure['code'];
    /** What was awaited, inside "No complete ... arrived". */
    awaited: string;
    /** The start of the sentence when the reply code is not the expected one. */
    refused: (code: number, expected: number) => string;
  }
> = {
  banner: {
    timing: 'bannerMs',
    timeoutCode: 'banner_timeout',
    awaited: 'greeting',
    refused: (code, expected) => `The listener greeted with ${code} instead of ${expected}`,
  },
  ehlo: {
    timing: 'ehloMs',
    timeoutCode: 'protocol_error',
    awaited: 'EHLO reply',
    refused: (code) => `The listener answered EHLO with ${code}`,
  },
  starttls: {
    timing: 'starttlsMs',
    timeoutCode: 'protocol_error',
    awaited: 'STARTTLS reply',
    refused: (code) => `The listener refused STARTTLS with ${code}`,
  },
};

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Probes one CPQ listener. Never throws; always resolves to one result. Aborting `opts.signal`
 * ends it at once with a result that says it was interrupted.
 */
export async function probeListener(opts: ProbeOptions): Promise<ProbeResult> {
  const run = new ProbeRun(opts);
  try {
    if (run.interrupted) return run.result(run.interruptedFailure());
    const result = await run.execute();
    // Whatever a phase saw once its socket was destroyed by the abort is not about the listener.
    return run.interrupted ? run.result(run.interruptedFailure()) : result;
  } catch (err) {
    if (run.interrupted) return run.result(run.interruptedFailure());
    // Defensive: a bug must still yield a result, never a rejected promise.
    return run.result({
      code: 'protocol_error',
      phase: run.phase,
      message: `The probe failed unexpectedly: ${errorMessage(err)}.`,
    });
  } finally {
    run.cleanup();
  }
}

class ProbeRun {
  phase: ProbePhase = 'dns';
  private readonly host: string;
  private readonly port: number;
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  private readonly deadline: number;
  private readonly phaseMs: number;
  private readonly timings: Omit<ProbeTimings, 'totalMs'> = {};
  private address: string | null = null;
  private banner: string | null = null;
  private extensions: string[] = [];
  private tls: TlsFacts | null = null;
  private socket: Socket | null = null;
  /** The plain-text SMTP conversation on `socket`, until STARTTLS hands the socket to TLS. */
  private smtp: SmtpConnection | null = null;
  private tlsSocket: TLSSocket | null = null;
  private peerCertificate: PeerCertificate | null = null;
  /** True once the caller's signal aborted: the probe ends and says so, whatever a phase saw. */
  interrupted = false;
  /** The waits in progress, each ended by an abort. */
  private readonly abortWaiters = new Set<() => void>();
  private readonly onAbort = () => {
    this.interrupted = true;
    this.cleanup();
    for (const w of [...this.abortWaiters]) w();
  };

  constructor(private readonly opts: ProbeOptions) {
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

  /** The failure an interrupted probe reports: nothing about the listener, only that it was cut short. */
  interruptedFailure(): Failure {
    return {
      code: 'protocol_error',
      phase: this.phase,
      message: `The probe was interrupted during its ${this.phase} phase, before it finished; this says nothing about the listener.`,
    };
  }

  /** `p`, or `aborted` as soon as the caller's signal aborts (the wait's socket is destroyed too). */
  private untilAborted<T>(p: Promise<T>, aborted: T): Promise<T> {
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

  async execute(): Promise<ProbeResult> {
    const settings = clientTlsSettings(this.opts);
    let context: SecureContext;
    try {
      context = secureContextFor(settings);
    } catch (err) {
      return this.result({
        code: 'tls_handshake_failed',
        phase: 'tls',
        message: `The TLS settings are not usable by OpenSSL (${errorMessage(err)}), so no handshake was tried.`,
      });
    }

    const address = await this.resolve();
    if (typeof address !== 'string') return this.result(address);
    this.address = address;

    const connected = await this.connect(address);
    if (connected) return this.result(connected);
    const plain = new SmtpConnection(this.socket!, {
      ...DEFAULT_READER_LIMITS,
      maxLineBytes: this.opts.maxLineBytes ?? PROBE_DEFAULTS.maxLineBytes,
    });
    this.smtp = plain;

    const greeting = await this.step('banner', null, 220, 'banner_rejected');
    if (greeting.reply) this.banner = replyText(greeting.reply);
    if (greeting.failure) return this.result(greeting.failure);

    const ehlo = await this.step(
      'ehlo',
      `EHLO ${this.opts.ehloName ?? defaultEhloName()}`,
      250,
      'ehlo_rejected',
    );
    if (ehlo.failure) return this.result(ehlo.failure);
    this.extensions = parseEhloExtensions(ehlo.reply);
    if (!offersStarttls(this.extensions)) {
      return this.result({
        code: 'starttls_not_offered',
        phase: 'ehlo',
        message: `The listener does not offer STARTTLS (EHLO listed: ${this.extensions.join(', ') || 'nothing'}), so CPQ cannot use TLS.`,
      });
    }

    const starttls = await this.step('starttls', 'STARTTLS', 220, 'starttls_rejected');
    if (starttls.failure) return this.result(starttls.failure);
    if (plain.hasUnreadBytes) {
      // Bytes sent before the handshake would be read as if they came over TLS (STARTTLS injection).
      return this.result({
        code: 'protocol_error',
        phase: 'starttls',
        message: 'The listener sent data after its 220 to STARTTLS and before the TLS handshake.',
      });
    }
    plain.detach();

    // TLS handshake.
    this.phase = 'tls';
    const failure = await this.handshake(context);
    if (failure) return this.result(failure);

    // Judge the session while it is surely open: after QUIT the peer closes it.
    const verdict = this.verdict();

    // QUIT: polite, bounded, and never part of the verdict.
    this.phase = 'quit';
    const secure = new SmtpConnection(this.tlsSocket!, DEFAULT_READER_LIMITS);
    secure.send('QUIT');
    await this.untilAborted(
      secure.read(Math.min(this.deadline, performance.now() + PROBE_DEFAULTS.quitTimeoutMs)),
      { kind: 'closed' } as ReadOutcome,
    );
    secure.detach();

    return this.result(verdict);
  }

  /**
   * One SMTP exchange of the plain-text dialogue: sends `command` (none for the greeting), reads
   * one reply within the phase deadline, records its time, and fails with `failureCode` when the
   * reply code is not `expected`. The reply is returned whenever one was read.
   */
  private async step(
    phase: SmtpPhase,
    command: string | null,
    expected: number,
    failureCode: Failure['code'],
  ): Promise<StepOutcome> {
    const smtp = this.smtp!;
    const wording = SMTP_STEPS[phase];
    this.phase = phase;
    const t = performance.now();
    if (command !== null) smtp.send(command);
    const outcome = await this.untilAborted(smtp.read(this.phaseDeadline()), {
      kind: 'closed',
    } as ReadOutcome);
    const elapsed = round(performance.now() - t);
    this.timings[wording.timing] = elapsed;
    if (outcome.kind !== 'reply') {
      return {
        reply: null,
        failure: readFailure(outcome, phase, wording.timeoutCode, wording.awaited, elapsed),
      };
    }
    const reply = outcome.reply;
    if (reply.code === expected) return { reply, failure: null };
    return {
      reply,
      failure: {
        code: failureCode,
        phase,
        message: `${wording.refused(reply.code, expected)}: "${escapedExcerpt(reply.lines.join(' '))}".`,
      },
    };
  }

  private phaseDeadline(): number {
    return Math.min(this.deadline, performance.now() + this.phaseMs);
  }

  private async resolve(): Promise<string | Failure> {
    if (isIP(this.host) !== 0) return this.host;
    this.phase = 'dns';
    const t = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, this.phaseDeadline() - performance.now()));
      });
      const answer = await this.untilAborted(Promise.race([lookup(this.host), timeout]), 'timeout' as const);
      if (answer === 'timeout') {
        return {
          code: 'dns_failed',
          phase: 'dns',
          message: `The name ${this.host} did not resolve in time.`,
        };
      }
      return answer.address;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      return {
        code: 'dns_failed',
        phase: 'dns',
        message: `The name ${this.host} does not resolve (${code}).`,
      };
    } finally {
      clearTimeout(timer);
      this.timings.dnsMs = round(performance.now() - t);
    }
  }

  private connect(address: string): Promise<Failure | null> {
    this.phase = 'connect';
    const t = performance.now();
    const where = `${isIP(address) === 6 ? `[${address}]` : address}:${this.port}`;
    const socket = tcpConnect({ host: address, port: this.port });
    this.socket = socket;
    socket.setNoDelay(true);
    return this.settle(socket, 'connect', {
      startedAt: t,
      timing: 'connectMs',
      error: (err) => {
        if (err.code === 'ECONNREFUSED') {
          return {
            code: 'connect_refused',
            phase: 'connect',
            message: `Nothing accepts connections on ${where}: the listener is down or suspended (ECONNREFUSED).`,
          };
        }
        if (err.code === 'ETIMEDOUT') {
          return {
            code: 'connect_timeout',
            phase: 'connect',
            message: `The TCP connection to ${where} timed out.`,
          };
        }
        return {
          code: 'connect_failed',
          phase: 'connect',
          message: `The TCP connection to ${where} failed: ${err.code ?? err.message}.`,
        };
      },
      timeout: (elapsedMs) => {
        socket.destroy();
        return {
          code: 'connect_timeout',
          phase: 'connect',
          message: `No TCP answer from ${where} within ${Math.round(elapsedMs)} ms (filtered or unreachable).`,
        };
      },
    });
  }

  private handshake(context: SecureContext): Promise<Failure | null> {
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
    return this.settle(tlsSocket, 'secureConnect', {
      startedAt: t,
      timing: 'tlsMs',
      error: (err) => ({
        code: 'tls_handshake_failed',
        phase: 'tls',
        message: `The TLS handshake failed: ${tlsErrorText(err)}.`,
      }),
      close: () => ({
        code: 'tls_handshake_failed',
        phase: 'tls',
        message: 'The listener closed the connection during the TLS handshake.',
      }),
      timeout: (elapsedMs) => ({
        code: 'tls_handshake_failed',
        phase: 'tls',
        message: `The TLS handshake did not complete within ${Math.round(elapsedMs)} ms.`,
      }),
    });
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

  /** Judges the established session (shared/tls/judgement.ts) and keeps its facts for the result. */
  private verdict(): Failure | null {
    const s = this.tlsSocket!;
    const { tls, failure } = judgeSession({
      protocol: s.getProtocol() ?? 'unknown',
      cipher: s.getCipher()?.name ?? 'unknown',
      peer: this.peerX509(),
      pins: this.opts.pins ?? [],
      ca: this.opts.ca,
      name: this.opts.servername ?? this.host,
      now: new Date(),
    });
    this.tls = tls;
    return failure ? { ...failure, phase: 'tls' } : null;
  }

  /**
   * The peer's certificate and the ones it sent above it, as X509Certificate objects. Node 20's
   * getPeerX509Certificate() may be called once per connection (it takes the chain over), and it
   * is the cheap path; when Node already built the detailed object (OpenSSL trusted the chain
   * through the default store), that object is used instead.
   */
  private peerX509(): PeerCertificates | null {
    const chain: X509Certificate[] = [];
    if (this.peerCertificate?.raw) {
      const leaf = new X509Certificate(this.peerCertificate.raw);
      const seen = new Set([leaf.fingerprint256]);
      let c = (this.peerCertificate as DetailedPeerCertificate).issuerCertificate;
      for (; c && !seen.has(c.fingerprint256) && chain.length < 10; c = c.issuerCertificate) {
        seen.add(c.fingerprint256);
        chain.push(new X509Certificate(c.raw));
      }
      return { leaf, chain };
    }
    const leaf = this.tlsSocket!.getPeerX509Certificate();
    if (!leaf) return null;
    const seen = new Set([leaf.fingerprint256]);
    for (
      let c = leaf.issuerCertificate;
      c && !seen.has(c.fingerprint256) && chain.length < 10;
      c = c.issuerCertificate
    ) {
      seen.add(c.fingerprint256);
      chain.push(c);
    }
    return { leaf, chain };
  }

  private warnings(): ProbeWarning[] {
    if (!this.tls) return [];
    return tlsWarnings(this.tls, this.opts.expiryWarnDays ?? PROBE_DEFAULTS.expiryWarnDays);
  }

  /** Builds the final result from a failure, or from the collected facts when `failure` is null. */
  result(failure: Failure | null): ProbeResult {
    const timings: ProbeTimings = { ...this.timings, totalMs: round(performance.now() - this.t0) };
    const base = {
      host: this.host,
      port: this.port,
      address: this.address,
      startedAt: this.startedAt.toISOString(),
      timings,
      banner: this.banner,
      extensions: this.extensions,
      tls: this.tls,
    };
    if (failure) {
      return {
        ...base,
        status: 'critical',
        code: failure.code,
        phase: failure.phase,
        message: failure.message,
        warnings: this.warnings(),
      };
    }
    const warnings = this.warnings();
    const tls = this.tls!;
    const summary = `${tls.protocol} ${tls.cipher}, certificate ${tls.certificate!.subject} (${tls.certificate!.daysRemaining} days left${tls.verified ? ', verified' : ''})`;
    return {
      ...base,
      status: warnings.length > 0 ? 'warning' : 'ok',
      code: 'ok',
      message:
        warnings.length > 0
          ? `The listener works (${summary}) but: ${warnings.map((w) => TLS_WARNING_TEXT[w]).join('; ')}.`
          : `The listener works: ${summary}.`,
      warnings,
    };
  }
}

/** The failure for a read that brought no reply; `elapsedMs` is how long the phase waited. */
function readFailure(
  outcome: Exclude<ReadOutcome, { kind: 'reply' }>,
  phase: SmtpPhase,
  timeoutCode: Failure['code'],
  what: string,
  elapsedMs: number,
): Failure {
  switch (outcome.kind) {
    case 'timeout':
      return {
        code: timeoutCode,
        phase,
        message: `No complete ${what} arrived within ${Math.round(elapsedMs)} ms.`,
      };
    case 'closed':
      return {
        code: 'protocol_error',
        phase,
        message: `The listener closed the connection before its ${what} was complete.`,
      };
    case 'error':
      return {
        code: 'protocol_error',
        phase,
        message: `The connection failed while waiting for the ${what} (${outcome.error.code ?? outcome.error.message}).`,
      };
    case 'invalid':
      return {
        code: 'protocol_error',
        phase,
        message: `The ${what} is not SMTP: the listener sent ${outcome.reason}.`,
      };
  }
}

function replyText(reply: SmtpReply): string {
  return reply.lines.map((l, i) => `${reply.code}${i === reply.lines.length - 1 ? ' ' : '-'}${l}`).join('\n');
}

function tlsErrorText(err: NodeJS.ErrnoException): string {
  // OpenSSL messages carry routine names; the reason after the last colon is what people search for.
  const reason = (err as { reason?: string }).reason;
  return reason ? `${reason} (${err.code ?? 'tls error'})` : (err.code ?? err.message);
}
