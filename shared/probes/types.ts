/**
 * The contract of the CPQ listener probe (docs/probe.md): options in, one tagged result out.
 * Field names and codes are part of the CLI's --json output: extend, never rename.
 */
import type { Status } from '../errors';

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
  | 'tls_no_certificate'
  | 'cert_expired'
  | 'cert_not_yet_valid'
  | 'cert_untrusted'
  | 'cert_pin_mismatch';

/** Non-fatal observations; any of them makes an otherwise good result `warning`. */
export type ProbeWarning = 'cert_expiring' | 'weak_tls_protocol' | 'weak_cipher';

/** Node's names for TLS versions, as accepted by `tls.connect`'s minVersion/maxVersion. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

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

export interface CertificateFacts {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  /** Colon hex, upper case, as Node's `fingerprint256`. */
  fingerprint256: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days until validTo; negative once expired. */
  daysRemaining: number;
}

export interface TlsFacts {
  /** e.g. `TLSv1.2`. */
  protocol: string;
  /** OpenSSL name, e.g. `ECDHE-RSA-AES256-GCM-SHA384` or `ADH-AES256-GCM-SHA384`. */
  cipher: string;
  /** True when an aNULL suite was negotiated: the server sent no certificate. */
  anonymous: boolean;
  certificate: CertificateFacts | null;
  /** True when a configured pin or CA accepted the certificate; false when none was configured. */
  verified: boolean;
  verifyError: string | null;
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
