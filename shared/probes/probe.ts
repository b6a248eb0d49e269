/**
 * The CPQ listener probe: what an ESA or SMA does when it delivers to a `cpq_listener` —
 * TCP, 220 greeting, EHLO, STARTTLS, TLS handshake, certificate checks, QUIT — never sending mail.
 * One call, one tagged result; every phase has a deadline inside the overall one (dialogue.ts),
 * and every socket and timer is released before the promise settles.
 */
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, SecureContext } from 'node:tls';
import { PROBE_DEFAULTS } from '../prober/listener-defaults';
import type { Prober } from '../prober/prober';
import { clientTlsSettings, secureContextFor } from '../tls/client-context';
import { judgeSession, type PeerCertificates, tlsWarnings } from '../tls/judgement';
import type { TlsFacts } from '../tls/types';
import { defaultEhloName, ProbeDialogue, round } from './dialogue';
import {
  DATA_BEFORE_HANDSHAKE,
  type Failure,
  HANDSHAKE_FAILURES,
  starttlsNotOffered,
  unexpectedFailure,
  workingMessage,
} from './failures';
import { offersStarttls, parseEhloExtensions, type SmtpReply } from './smtp-reply';
import type { ProbeOptions, ProbeResult, ProbeTimings, ProbeWarning } from './types';

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
    return run.result(unexpectedFailure(run.phase, err));
  } finally {
    run.cleanup();
  }
}

/**
 * The probe as a prober: one probe of one listener within the time left for it (a shorter
 * `timeoutMs` of the target's own is kept).
 */
export const listenerProber: Prober<Omit<ProbeOptions, 'signal'>, ProbeResult> = {
  kind: 'probe',
  run: (target, timeoutMs, signal) =>
    probeListener({
      ...target,
      timeoutMs: Math.min(target.timeoutMs ?? timeoutMs, timeoutMs),
      ...(signal !== undefined ? { signal } : {}),
    }),
};

class ProbeRun extends ProbeDialogue {
  private readonly startedAt = new Date();
  private address: string | null = null;
  private banner: string | null = null;
  private extensions: string[] = [];
  private tls: TlsFacts | null = null;

  async execute(): Promise<ProbeResult> {
    let context: SecureContext;
    try {
      context = secureContextFor(clientTlsSettings(this.opts));
    } catch (err) {
      return this.result(HANDSHAKE_FAILURES.unusable(err));
    }

    const address = await this.resolve();
    if (typeof address !== 'string') return this.result(address);
    this.address = address;

    const connected = await this.connect(address);
    if (connected) return this.result(connected);
    const plain = this.startSmtp();

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
    if (!offersStarttls(this.extensions)) return this.result(starttlsNotOffered(this.extensions));

    const starttls = await this.step('starttls', 'STARTTLS', 220, 'starttls_rejected');
    if (starttls.failure) return this.result(starttls.failure);
    if (plain.hasUnreadBytes) return this.result(DATA_BEFORE_HANDSHAKE);
    plain.detach();

    this.phase = 'tls';
    const failure = await this.handshake(context);
    if (failure) return this.result(failure);

    // Judge the session while it is surely open: after QUIT the peer closes it.
    const verdict = this.verdict();
    await this.quit();
    return this.result(verdict);
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
    const warnings = this.warnings();
    if (failure) {
      const { code, phase, message } = failure;
      return { ...base, status: 'critical', code, phase, message, warnings };
    }
    return {
      ...base,
      status: warnings.length > 0 ? 'warning' : 'ok',
      code: 'ok',
      message: workingMessage(this.tls!, warnings),
      warnings,
    };
  }
}

function replyText(reply: SmtpReply): string {
  return reply.lines.map((l, i) => `${reply.code}${i === reply.lines.length - 1 ? ' ' : '-'}${l}`).join('\n');
}
