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
import { certificateFactsFromX509, certificateValidity, isExpiringSoon } from '../tls/certificate';
import { cipherListAllowsAnonymous, classifyCipher, isWeakTlsProtocol } from '../tls/ciphers';
import { matchesPin } from '../tls/fingerprint';
import { certificateNamesHost, parseCaBundle, verifyChain } from '../tls/verify';
import { ignore, type ReadOutcome, SmtpConnection } from './connection';
import {
  DEFAULT_READER_LIMITS,
  offersStarttls,
  parseEhloExtensions,
  printable,
  type SmtpReply,
} from './smtp-reply';
import type {
  ProbeCode,
  ProbeOptions,
  ProbePhase,
  ProbeResult,
  ProbeTimings,
  ProbeWarning,
  TlsFacts,
  TlsVersion,
} from './types';

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

const VERSION_RANK: Record<TlsVersion, number> = { TLSv1: 0, 'TLSv1.1': 1, 'TLSv1.2': 2, 'TLSv1.3': 3 };
/** OpenSSL verification errors about dates: reported as cert_expired / cert_not_yet_valid, not untrusted. */
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

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
 * the anonymous-cipher failure the probe exists to show.
 */
export function clientTlsSettings(
  opts: Pick<ProbeOptions, 'ciphers' | 'minVersion' | 'maxVersion'>,
): ClientTlsSettings {
  const notes: string[] = [];
  let maxVersion: TlsVersion = opts.maxVersion ?? 'TLSv1.3';
  const wantsOldVersions =
    (opts.minVersion !== undefined && VERSION_RANK[opts.minVersion] < 2) ||
    (opts.maxVersion !== undefined && VERSION_RANK[opts.maxVersion] < 2);
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
    }
  }
  let minVersion: TlsVersion = opts.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion);
  if (opts.minVersion === undefined && VERSION_RANK[minVersion] > VERSION_RANK[maxVersion])
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

/** Returns a sentence when the options cannot work (bad cipher string, min above max...), else null. */
export function checkProbeOptions(opts: ProbeOptions): string | null {
  if (opts.minVersion && opts.maxVersion && VERSION_RANK[opts.minVersion] > VERSION_RANK[opts.maxVersion]) {
    return `minimum TLS version ${opts.minVersion} is above maximum ${opts.maxVersion}`;
  }
  try {
    secureContextFor(clientTlsSettings(opts));
  } catch (err) {
    return `OpenSSL refuses the TLS settings: ${errorMessage(err)}`;
  }
  if (opts.ca !== undefined) {
    try {
      if (parseCaBundle(opts.ca).length === 0) return 'the CA bundle holds no PEM certificate';
    } catch (err) {
      return `the CA bundle does not parse: ${errorMessage(err)}`;
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

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Probes one CPQ listener. Never throws; always resolves to one result. */
export async function probeListener(opts: ProbeOptions): Promise<ProbeResult> {
  const run = new ProbeRun(opts);
  try {
    return await run.execute();
  } catch (err) {
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
  private tlsSocket: TLSSocket | null = null;
  private peerCertificate: PeerCertificate | null = null;

  constructor(private readonly opts: ProbeOptions) {
    this.host = opts.host.startsWith('[') && opts.host.endsWith(']') ? opts.host.slice(1, -1) : opts.host;
    this.port = opts.port ?? PROBE_DEFAULTS.port;
    const timeout = opts.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
    this.deadline = this.t0 + timeout;
    this.phaseMs = opts.phaseTimeoutMs ?? Math.min(timeout, PROBE_DEFAULTS.phaseTimeoutMs);
  }

  cleanup(): void {
    this.tlsSocket?.destroy();
    this.socket?.destroy();
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

    // Greeting.
    this.phase = 'banner';
    let t = performance.now();
    let outcome = await plain.read(this.phaseDeadline());
    this.timings.bannerMs = round(performance.now() - t);
    if (outcome.kind !== 'reply') return this.result(this.readFailure(outcome, 'banner_timeout', 'greeting'));
    this.banner = replyText(outcome.reply);
    if (outcome.reply.code !== 220) {
      return this.result({
        code: 'banner_rejected',
        phase: 'banner',
        message: `The listener greeted with ${outcome.reply.code} instead of 220: "${printable(outcome.reply.lines.join(' '))}".`,
      });
    }

    // EHLO.
    this.phase = 'ehlo';
    t = performance.now();
    plain.send(`EHLO ${this.opts.ehloName ?? defaultEhloName()}`);
    outcome = await plain.read(this.phaseDeadline());
    this.timings.ehloMs = round(performance.now() - t);
    if (outcome.kind !== 'reply')
      return this.result(this.readFailure(outcome, 'protocol_error', 'EHLO reply'));
    if (outcome.reply.code !== 250) {
      return this.result({
        code: 'ehlo_rejected',
        phase: 'ehlo',
        message: `The listener answered EHLO with ${outcome.reply.code}: "${printable(outcome.reply.lines.join(' '))}".`,
      });
    }
    this.extensions = parseEhloExtensions(outcome.reply);
    if (!offersStarttls(this.extensions)) {
      return this.result({
        code: 'starttls_not_offered',
        phase: 'ehlo',
        message: `The listener does not offer STARTTLS (EHLO listed: ${this.extensions.join(', ') || 'nothing'}), so CPQ cannot use TLS.`,
      });
    }

    // STARTTLS.
    this.phase = 'starttls';
    t = performance.now();
    plain.send('STARTTLS');
    outcome = await plain.read(this.phaseDeadline());
    this.timings.starttlsMs = round(performance.now() - t);
    if (outcome.kind !== 'reply')
      return this.result(this.readFailure(outcome, 'protocol_error', 'STARTTLS reply'));
    if (outcome.reply.code !== 220) {
      return this.result({
        code: 'starttls_rejected',
        phase: 'starttls',
        message: `The listener refused STARTTLS with ${outcome.reply.code}: "${printable(outcome.reply.lines.join(' '))}".`,
      });
    }
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
    await secure.read(Math.min(this.deadline, performance.now() + PROBE_DEFAULTS.quitTimeoutMs));
    secure.detach();

    return this.result(verdict);
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
      const answer = await Promise.race([lookup(this.host), timeout]);
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
    return new Promise((resolve) => {
      const socket = tcpConnect({ host: address, port: this.port });
      this.socket = socket;
      socket.setNoDelay(true);
      const done = (failure: Failure | null) => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        socket.on('error', ignore);
        this.timings.connectMs = round(performance.now() - t);
        resolve(failure);
      };
      const onConnect = () => done(null);
      const onError = (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') {
          done({
            code: 'connect_refused',
            phase: 'connect',
            message: `Nothing accepts connections on ${where}: the listener is down or suspended (ECONNREFUSED).`,
          });
        } else if (err.code === 'ETIMEDOUT') {
          done({
            code: 'connect_timeout',
            phase: 'connect',
            message: `The TCP connection to ${where} timed out.`,
          });
        } else {
          done({
            code: 'connect_failed',
            phase: 'connect',
            message: `The TCP connection to ${where} failed: ${err.code ?? err.message}.`,
          });
        }
      };
      const timer = setTimeout(
        () => {
          socket.destroy();
          done({
            code: 'connect_timeout',
            phase: 'connect',
            message: `No TCP answer from ${where} within ${Math.round(performance.now() - t)} ms (filtered or unreachable).`,
          });
        },
        Math.max(0, this.phaseDeadline() - performance.now()),
      );
      socket.once('connect', onConnect);
      socket.once('error', onError);
    });
  }

  private readFailure(
    outcome: Exclude<ReadOutcome, { kind: 'reply' }>,
    timeoutCode: Failure['code'],
    what: string,
  ): Failure {
    const phase = this.phase;
    switch (outcome.kind) {
      case 'timeout':
        return {
          code: timeoutCode,
          phase,
          message: `No complete ${what} arrived within ${Math.round(this.elapsedInPhase())} ms.`,
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

  private elapsedInPhase(): number {
    const t = this.timings;
    const key = { banner: t.bannerMs, ehlo: t.ehloMs, starttls: t.starttlsMs } as Record<
      string,
      number | undefined
    >;
    return key[this.phase] ?? performance.now() - this.t0;
  }

  private handshake(context: SecureContext): Promise<Failure | null> {
    const t = performance.now();
    const servername = this.opts.servername ?? (isIP(this.host) === 0 ? this.host : undefined);
    return new Promise((resolve) => {
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
      const done = (failure: Failure | null) => {
        clearTimeout(timer);
        tlsSocket.off('secureConnect', onSecure);
        tlsSocket.off('error', onError);
        tlsSocket.off('close', onClose);
        tlsSocket.on('error', ignore);
        this.timings.tlsMs = round(performance.now() - t);
        resolve(failure);
      };
      const onSecure = () => done(null);
      const onError = (err: NodeJS.ErrnoException) =>
        done({
          code: 'tls_handshake_failed',
          phase: 'tls',
          message: `The TLS handshake failed: ${tlsErrorText(err)}.`,
        });
      const onClose = () =>
        done({
          code: 'tls_handshake_failed',
          phase: 'tls',
          message: 'The listener closed the connection during the TLS handshake.',
        });
      const timer = setTimeout(
        () =>
          done({
            code: 'tls_handshake_failed',
            phase: 'tls',
            message: `The TLS handshake did not complete within ${Math.round(performance.now() - t)} ms.`,
          }),
        Math.max(0, this.phaseDeadline() - performance.now()),
      );
      tlsSocket.once('secureConnect', onSecure);
      tlsSocket.once('error', onError);
      tlsSocket.once('close', onClose);
    });
  }

  /** Judges the established session: certificate present, trusted, in date; then warnings. */
  private verdict(): Failure | null {
    const s = this.tlsSocket!;
    const now = new Date();
    const protocol = s.getProtocol() ?? 'unknown';
    const cipher = s.getCipher()?.name ?? 'unknown';
    const cls = classifyCipher(cipher);
    const peer = this.peerX509();
    const certificate = peer ? certificateFactsFromX509(peer.leaf, now) : null;
    const tls: TlsFacts = {
      protocol,
      cipher,
      anonymous: cls.anonymous,
      certificate,
      verified: false,
      verifyError: null,
    };
    this.tls = tls;

    if (certificate === null) {
      tls.verifyError = 'no certificate from server';
      return {
        code: 'tls_no_certificate',
        phase: 'tls',
        message: cls.anonymous
          ? `The anonymous cipher ${cipher} was negotiated, so the listener sent no certificate; an appliance fails with "no certificate from server" (add :-aNULL to its outbound cipher list).`
          : `The listener sent no certificate over ${protocol} with ${cipher}.`,
      };
    }

    const pins = this.opts.pins ?? [];
    if (pins.length > 0) {
      if (!matchesPin(certificate.fingerprint256, pins)) {
        tls.verifyError = 'certificate fingerprint matches no pin';
        return {
          code: 'cert_pin_mismatch',
          phase: 'tls',
          message: `The certificate (${certificate.subject}, SHA-256 ${certificate.fingerprint256}) matches none of the ${pins.length} pinned fingerprint(s).`,
        };
      }
      tls.verified = true;
    } else if (this.opts.ca !== undefined) {
      const failure = this.verifyAgainstCa(tls, peer!);
      if (failure) return failure;
    }

    const validity = certificateValidity(certificate, now);
    if (validity === 'expired') {
      tls.verified = false;
      tls.verifyError ??= 'CERT_HAS_EXPIRED';
      return {
        code: 'cert_expired',
        phase: 'tls',
        message: `The certificate (${certificate.subject}) expired on ${certificate.validTo}, ${-certificate.daysRemaining} day(s) ago.`,
      };
    }
    if (validity === 'not_yet_valid') {
      tls.verified = false;
      tls.verifyError ??= 'CERT_NOT_YET_VALID';
      return {
        code: 'cert_not_yet_valid',
        phase: 'tls',
        message: `The certificate (${certificate.subject}) is not valid before ${certificate.validFrom} (check the appliance clock or the certificate).`,
      };
    }
    return null;
  }

  /**
   * The peer's certificate and the ones it sent above it, as X509Certificate objects. Node 20's
   * getPeerX509Certificate() may be called once per connection (it takes the chain over), and it
   * is the cheap path; when Node already built the detailed object (OpenSSL trusted the chain
   * through the default store), that object is used instead.
   */
  private peerX509(): { leaf: X509Certificate; chain: X509Certificate[] } | null {
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

  /**
   * CA verification without OpenSSL's handshake-time result (see shared/tls/verify.ts for why):
   * the chain must reach a CA of the bundle, and the certificate must name the servername (or the
   * host). Date errors are left to the caller, which reports them as cert_expired/not_yet_valid.
   */
  private verifyAgainstCa(
    tls: TlsFacts,
    peer: { leaf: X509Certificate; chain: X509Certificate[] },
  ): Failure | null {
    let cas: X509Certificate[];
    try {
      cas = parseCaBundle(this.opts.ca!);
    } catch (err) {
      tls.verifyError = errorMessage(err);
      return {
        code: 'cert_untrusted',
        phase: 'tls',
        message: `The CA bundle could not be read: ${errorMessage(err)}.`,
      };
    }
    const chain = verifyChain(peer.leaf, cas, peer.chain);
    const name = this.opts.servername ?? this.host;
    if (!certificateNamesHost(peer.leaf, name)) {
      tls.verifyError = 'ERR_TLS_CERT_ALTNAME_INVALID';
      const names = tls.certificate!.subjectAltNames.join(', ') || tls.certificate!.subject;
      return {
        code: 'cert_untrusted',
        phase: 'tls',
        message: `The certificate does not name ${name} (it names ${names}).`,
      };
    }
    const certificate = tls.certificate!;
    if (chain.error !== null && !DATE_ERRORS.has(chain.error)) {
      tls.verifyError = chain.error;
      return {
        code: 'cert_untrusted',
        phase: 'tls',
        message: `The certificate (${certificate.subject}, issued by ${certificate.issuer}) does not verify against the configured CA: ${chain.error}${chain.detail ? ` (${chain.detail})` : ''}.`,
      };
    }
    if (chain.error !== null) tls.verifyError = chain.error;
    else tls.verified = true;
    return null;
  }

  private warnings(): ProbeWarning[] {
    const tls = this.tls;
    if (!tls) return [];
    const out: ProbeWarning[] = [];
    const warnDays = this.opts.expiryWarnDays ?? PROBE_DEFAULTS.expiryWarnDays;
    if (tls.certificate && isExpiringSoon(tls.certificate, warnDays)) out.push('cert_expiring');
    if (isWeakTlsProtocol(tls.protocol)) out.push('weak_tls_protocol');
    if (classifyCipher(tls.cipher).weaknesses.length > 0) out.push('weak_cipher');
    return out;
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
          ? `The listener works (${summary}) but: ${warnings.map(warningText).join('; ')}.`
          : `The listener works: ${summary}.`,
      warnings,
    };
  }
}

function warningText(w: ProbeWarning): string {
  switch (w) {
    case 'cert_expiring':
      return 'the certificate expires soon';
    case 'weak_tls_protocol':
      return 'the protocol is older than TLS 1.2';
    case 'weak_cipher':
      return 'the negotiated cipher is weak';
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
