/**
 * The probe's failure texts: one sentence per way a phase can fail. The messages are part of the
 * CLI's output and of the findings' evidence (docs/probe.md), so they are worded here, once.
 */
import { isIP } from 'node:net';
import { errorMessage } from '../errors';
import { TLS_WARNING_TEXT } from '../tls/judgement';
import type { TlsFacts } from '../tls/types';
import type { ReadOutcome } from './connection';
import { escapedExcerpt, type SmtpReply } from './smtp-reply';
import type { ProbeCode, ProbePhase, ProbeWarning } from './types';

/** Why a probe failed: its code, the phase and one sentence. */
export type Failure = { code: Exclude<ProbeCode, 'ok'>; phase: ProbePhase; message: string };

/** The phases of the plain-text SMTP dialogue before TLS. */
export type SmtpPhase = 'banner' | 'ehlo' | 'starttls';

/** How each SMTP step is timed and worded in failures. */
export const SMTP_STEPS: Record<
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

/** A reply whose code is not the one the step expects. */
export function refusedFailure(
  phase: SmtpPhase,
  code: Failure['code'],
  reply: SmtpReply,
  expected: number,
): Failure {
  return {
    code,
    phase,
    message: `${SMTP_STEPS[phase].refused(reply.code, expected)}: "${escapedExcerpt(reply.lines.join(' '))}".`,
  };
}

/** The failure for a read that brought no reply; `elapsedMs` is how long the phase waited. */
export function readFailure(
  outcome: Exclude<ReadOutcome, { kind: 'reply' }>,
  phase: SmtpPhase,
  elapsedMs: number,
): Failure {
  const what = SMTP_STEPS[phase].awaited;
  switch (outcome.kind) {
    case 'timeout':
      return {
        code: SMTP_STEPS[phase].timeoutCode,
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

/** How `address:port` is written in the connect failures (`[v6]:port`). */
export function endpointText(address: string, port: number): string {
  return `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

/** A TCP connection that failed with a socket error. */
export function connectFailure(err: NodeJS.ErrnoException, where: string): Failure {
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
}

/** A TCP connection that got no answer within the phase's time. */
export function connectTimeoutFailure(where: string, elapsedMs: number): Failure {
  return {
    code: 'connect_timeout',
    phase: 'connect',
    message: `No TCP answer from ${where} within ${Math.round(elapsedMs)} ms (filtered or unreachable).`,
  };
}

/** The ways a TLS handshake ends without a session. */
export const HANDSHAKE_FAILURES = {
  error: (err: NodeJS.ErrnoException): Failure => ({
    code: 'tls_handshake_failed',
    phase: 'tls',
    message: `The TLS handshake failed: ${tlsErrorText(err)}.`,
  }),
  close: (): Failure => ({
    code: 'tls_handshake_failed',
    phase: 'tls',
    message: 'The listener closed the connection during the TLS handshake.',
  }),
  timeout: (elapsedMs: number): Failure => ({
    code: 'tls_handshake_failed',
    phase: 'tls',
    message: `The TLS handshake did not complete within ${Math.round(elapsedMs)} ms.`,
  }),
  /** Settings OpenSSL refuses: no handshake is tried. */
  unusable: (err: unknown): Failure => ({
    code: 'tls_handshake_failed',
    phase: 'tls',
    message: `The TLS settings are not usable by OpenSSL (${errorMessage(err)}), so no handshake was tried.`,
  }),
};

function tlsErrorText(err: NodeJS.ErrnoException): string {
  // OpenSSL messages carry routine names; the reason after the last colon is what people search for.
  const reason = (err as { reason?: string }).reason;
  return reason ? `${reason} (${err.code ?? 'tls error'})` : (err.code ?? err.message);
}

/** A name that does not resolve: `code` is the resolver's error code, null when it took too long. */
export function dnsFailure(host: string, code: string | null): Failure {
  return {
    code: 'dns_failed',
    phase: 'dns',
    message:
      code === null
        ? `The name ${host} did not resolve in time.`
        : `The name ${host} does not resolve (${code}).`,
  };
}

/** EHLO did not list STARTTLS. */
export function starttlsNotOffered(extensions: readonly string[]): Failure {
  return {
    code: 'starttls_not_offered',
    phase: 'ehlo',
    message: `The listener does not offer STARTTLS (EHLO listed: ${extensions.join(', ') || 'nothing'}), so CPQ cannot use TLS.`,
  };
}

/** Bytes sent before the handshake would be read as if they came over TLS (STARTTLS injection). */
export const DATA_BEFORE_HANDSHAKE: Failure = {
  code: 'protocol_error',
  phase: 'starttls',
  message: 'The listener sent data after its 220 to STARTTLS and before the TLS handshake.',
};

/** What an interrupted probe reports: nothing about the listener, only that it was cut short. */
export function interruptedFailure(phase: ProbePhase): Failure {
  return {
    code: 'protocol_error',
    phase,
    message: `The probe was interrupted during its ${phase} phase, before it finished; this says nothing about the listener.`,
  };
}

/** A bug of the probe itself: still a result, with the cause named. */
export function unexpectedFailure(phase: ProbePhase, err: unknown): Failure {
  return { code: 'protocol_error', phase, message: `The probe failed unexpectedly: ${errorMessage(err)}.` };
}

/** The sentence of a probe that got a session: it works, and what (if anything) it warns about. */
export function workingMessage(tls: TlsFacts, warnings: readonly ProbeWarning[]): string {
  const summary = `${tls.protocol} ${tls.cipher}, certificate ${tls.certificate!.subject} (${tls.certificate!.daysRemaining} days left${tls.verified ? ', verified' : ''})`;
  return warnings.length > 0
    ? `The listener works (${summary}) but: ${warnings.map((w) => TLS_WARNING_TEXT[w]).join('; ')}.`
    : `The listener works: ${summary}.`;
}
