/**
 * The contract of the CPQ listener probe (docs/probe.md): options in, one tagged result out.
 * Field names and codes are part of the CLI's --json output: extend, never rename.
 */
import type { Status } from '../errors';
import type { CertificateFailureCode, TlsFacts, TlsWarning } from '../tls/types';
import type { TlsVersion } from '../tls/versions';

// The TLS vocabulary is defined in shared/tls; a probe result carries it, so it is re-exported here
// for readers of the probe contract.
export type { CertificateFacts, TlsFacts } from '../tls/types';
export type { TlsVersion } from '../tls/versions';

/** Why a probe failed. `ok` also covers results that only carry warnings. */
export type ProbeCode =
  | 'ok'
  | 'dns_failed'
  | 'connect_refused'
  | 'connect_timeout'
  | 'connect_failed'
  | 'banner_timeout'
  | 'banner_rejected'
  | 'protocol_error'
  | 'ehlo_rejected'
  | 'starttls_not_offered'
  | 'starttls_rejected'
  | 'tls_handshake_failed'
  /** The session's certificate judgement (shared/tls/judgement.ts). */
  | CertificateFailureCode;

/** Non-fatal observations; any of them makes an otherwise good result `warning`. */
export type ProbeWarning = TlsWarning;

/** What one probe offers and expects; everything but `host` has a default. */
export interface ProbeOptions {
  host: string;
  /** Default 7025. */
  port?: number;
  /** OpenSSL cipher string offered by the client, e.g. the appliance's outbound list. */
  ciphers?: string;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** Pinned certificate SHA-256 fingerprints (colon hex as Node prints it; case and colons ignored). */
  pins?: string[];
  /** CA bundle (PEM) to verify the peer against. */
  ca?: string | Buffer;
  /** SNI and the name to check the certificate against when a CA is given. */
  servername?: string;
  /** Name sent in EHLO; default: this machine's hostname. */
  ehloName?: string;
  /** Overall deadline in ms for the whole probe; default 10000. */
  timeoutMs?: number;
  /** Deadline per phase in ms (still bounded by the overall one); default min(timeoutMs, 5000). */
  phaseTimeoutMs?: number;
  /** Days before expiry that raise `cert_expiring`; default 30. */
  expiryWarnDays?: number;
  /** Longest reply line accepted before `protocol_error`; default 4096 bytes. */
  maxLineBytes?: number;
  /**
   * Ends the probe at once when aborted (the CLI's Ctrl-C): its sockets are destroyed and it
   * settles as `protocol_error` saying it was interrupted, which says nothing about the listener.
   */
  signal?: AbortSignal;
}

export interface ProbeTimings {
  /** Name resolution, only when `host` is a name (not an IP literal). */
  dnsMs?: number;
  connectMs?: number;
  bannerMs?: number;
  ehloMs?: number;
  starttlsMs?: number;
  tlsMs?: number;
  totalMs: number;
}

export type ProbePhase = 'dns' | 'connect' | 'banner' | 'ehlo' | 'starttls' | 'tls' | 'quit';

interface ProbeResultBase {
  host: string;
  port: number;
  /** The address actually connected to, when a connection was made. */
  address: string | null;
  /** When the probe started, ISO 8601. */
  startedAt: string;
  /** One sentence naming the cause (or confirming health). */
  message: string;
  timings: ProbeTimings;
  /** The greeting, lines joined with `\n`, or null if none was read. */
  banner: string | null;
  /** EHLO keywords as the server listed them, upper-cased (e.g. `STARTTLS`, `SIZE 10485760`). */
  extensions: string[];
  tls: TlsFacts | null;
  warnings: ProbeWarning[];
}

export interface ProbeOk extends ProbeResultBase {
  status: 'ok' | 'warning';
  code: 'ok';
}

export interface ProbeFailure extends ProbeResultBase {
  status: 'critical';
  code: Exclude<ProbeCode, 'ok'>;
  /** The phase that failed. */
  phase: ProbePhase;
}

/** One probe of one listener. Never thrown; always returned. */
export type ProbeResult = ProbeOk | ProbeFailure;

export type { Status };
