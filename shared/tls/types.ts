/**
 * The TLS vocabulary (versions are in versions.ts): what a session and its certificate are found
 * to be, and the codes and warnings the certificate judgement (judgement.ts) gives. The probe's
 * result carries these objects as they are: field names and codes are part of the CLI's --json
 * output (extend, never rename).
 */

/** What a probe reports about the certificate a listener presented. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  /** Colon hex, upper case, as Node's `fingerprint256`. */
  fingerprint256: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days until validTo; negative once expired (counted by `daysRemaining` in certificate.ts). */
  daysRemaining: number;
}

/** What a probe reports about an established TLS session. */
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

/** Why an established session is not acceptable: no certificate, or one that fails a check. */
export type CertificateFailureCode =
  /** A NULL-encryption (eNULL) suite was negotiated: the quarantine traffic crosses in clear text. */
  | 'tls_no_encryption'
  | 'tls_no_certificate'
  | 'cert_expired'
  | 'cert_not_yet_valid'
  | 'cert_untrusted'
  | 'cert_pin_mismatch';

/** Non-fatal findings about an acceptable session. */
export type TlsWarning = 'cert_expiring' | 'weak_tls_protocol' | 'weak_cipher';
