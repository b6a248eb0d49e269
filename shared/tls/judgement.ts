/**
 * Certificate judgement: given what an established TLS session showed (protocol, cipher, the
 * peer's certificates), decide whether it is acceptable — a certificate present, pinned or chained
 * to the configured CA and naming the host, in date — and which warnings it raises. Pure: the
 * socket work that gathers the inputs stays in the probe.
 */
import type { X509Certificate } from 'node:crypto';
import { errorMessage } from '../errors';
import { certificateFactsFromX509, certificateValidity, expiredAgo, isExpiringSoon } from './certificate';
import { classifyCipher, isNullEncryptionCipher } from './ciphers';
import { matchesPin } from './fingerprint';
import type { CertificateFailureCode, TlsFacts, TlsWarning } from './types';
import { certificateNamesHost, parseCaBundle, verifyChain } from './verify';
import { isWeakTlsProtocol } from './versions';

/** OpenSSL verification errors about dates: reported as cert_expired / cert_not_yet_valid, not untrusted. */
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The peer's certificate and the ones it sent above it (leaf first, not including the leaf). */
export interface PeerCertificates {
  leaf: X509Certificate;
  chain: X509Certificate[];
}

/** What {@link judgeSession} looks at. */
export interface SessionEvidence {
  /** As the socket reports it, e.g. `TLSv1.2`. */
  protocol: string;
  /** OpenSSL name of the negotiated suite. */
  cipher: string;
  /** Null when the peer sent no certificate. */
  peer: PeerCertificates | null;
  /** Pinned SHA-256 fingerprints; when any is given, the CA is not consulted. */
  pins: readonly string[];
  /** CA bundle (PEM) the chain must reach, if any. */
  ca: string | Buffer | undefined;
  /** The name the certificate must carry when checked against the CA (servername or host). */
  name: string;
  now: Date;
}

/** Why a session is not acceptable, in one sentence. */
export interface CertificateFailure {
  code: CertificateFailureCode;
  message: string;
}

/** The session's facts, and the first failure found (null when the session is acceptable). */
export interface SessionJudgement {
  tls: TlsFacts;
  failure: CertificateFailure | null;
}

/** Judges an established session: certificate present, pinned or trusted, in date. */
export function judgeSession(evidence: SessionEvidence): SessionJudgement {
  const { protocol, cipher, peer, pins, now } = evidence;
  const cls = classifyCipher(cipher);
  const certificate = peer ? certificateFactsFromX509(peer.leaf, now) : null;
  const tls: TlsFacts = {
    protocol,
    cipher,
    anonymous: cls.anonymous,
    certificate,
    verified: false,
    verifyError: null,
  };
  const fail = (code: CertificateFailureCode, message: string): SessionJudgement => ({
    tls,
    failure: { code, message },
  });

  // Checked first: with no encryption nothing else about the session matters (an AECDH-NULL
  // suite is anonymous too, and the clear text is the worse of the two).
  if (isNullEncryptionCipher(cipher)) {
    return fail(
      'tls_no_encryption',
      `The suite ${cipher} was negotiated: it has no encryption, so quarantined and released mail crosses in clear text (append :-eNULL to the connecting appliance's outbound cipher list).`,
    );
  }

  if (certificate === null) {
    tls.verifyError = 'no certificate from server';
    return fail(
      'tls_no_certificate',
      cls.anonymous
        ? `The anonymous cipher ${cipher} was negotiated, so the listener sent no certificate; an appliance fails with "no certificate from server" (add :-aNULL to its outbound cipher list).`
        : `The listener sent no certificate over ${protocol} with ${cipher}.`,
    );
  }

  if (pins.length > 0) {
    if (!matchesPin(certificate.fingerprint256, pins)) {
      tls.verifyError = 'certificate fingerprint matches no pin';
      return fail(
        'cert_pin_mismatch',
        `The certificate (${certificate.subject}, SHA-256 ${certificate.fingerprint256}) matches none of the ${pins.length} pinned fingerprint(s).`,
      );
    }
    tls.verified = true;
  } else if (evidence.ca !== undefined) {
    const failure = verifyAgainstCa(tls, peer!, evidence.ca, evidence.name, now);
    if (failure) return { tls, failure };
  }

  const validity = certificateValidity(certificate, now);
  if (validity === 'expired') {
    tls.verified = false;
    tls.verifyError ??= 'CERT_HAS_EXPIRED';
    return fail(
      'cert_expired',
      `The certificate (${certificate.subject}) expired on ${certificate.validTo}, ${expiredAgo(certificate.daysRemaining)}.`,
    );
  }
  if (validity === 'not_yet_valid') {
    tls.verified = false;
    tls.verifyError ??= 'CERT_NOT_YET_VALID';
    return fail(
      'cert_not_yet_valid',
      `The certificate (${certificate.subject}) is not valid before ${certificate.validFrom} (check the appliance clock or the certificate).`,
    );
  }
  return { tls, failure: null };
}

/**
 * CA verification without OpenSSL's handshake-time result (see verify.ts for why): the chain must
 * reach a CA of the bundle, and the certificate must name `name`. Date errors are left to the
 * caller, which reports them as cert_expired/not_yet_valid. Records the outcome in `tls`.
 */
function verifyAgainstCa(
  tls: TlsFacts,
  peer: PeerCertificates,
  ca: string | Buffer,
  name: string,
  now: Date,
): CertificateFailure | null {
  let cas: X509Certificate[];
  try {
    cas = parseCaBundle(ca);
  } catch (err) {
    tls.verifyError = errorMessage(err);
    return { code: 'cert_untrusted', message: `The CA bundle could not be read: ${errorMessage(err)}.` };
  }
  const chain = verifyChain(peer.leaf, cas, peer.chain, now);
  const certificate = tls.certificate!;
  if (!certificateNamesHost(peer.leaf, name)) {
    tls.verifyError = 'ERR_TLS_CERT_ALTNAME_INVALID';
    const names = certificate.subjectAltNames.join(', ') || certificate.subject;
    return { code: 'cert_untrusted', message: `The certificate does not name ${name} (it names ${names}).` };
  }
  if (chain.error !== null && !DATE_ERRORS.has(chain.error)) {
    tls.verifyError = chain.error;
    return {
      code: 'cert_untrusted',
      message: `The certificate (${certificate.subject}, issued by ${certificate.issuer}) does not verify against the configured CA: ${chain.error}${chain.detail ? ` (${chain.detail})` : ''}.`,
    };
  }
  if (chain.error !== null) tls.verifyError = chain.error;
  else tls.verified = true;
  return null;
}

/** The warnings a session raises: certificate expiring within `warnDays`, weak protocol, weak cipher. */
export function tlsWarnings(tls: TlsFacts, warnDays: number, now: Date = new Date()): TlsWarning[] {
  const out: TlsWarning[] = [];
  if (tls.certificate && isExpiringSoon(tls.certificate, warnDays, now)) out.push('cert_expiring');
  if (isWeakTlsProtocol(tls.protocol)) out.push('weak_tls_protocol');
  if (classifyCipher(tls.cipher).weaknesses.length > 0) out.push('weak_cipher');
  return out;
}

/** How each warning reads inside a sentence ("The listener works (...) but: ..."). */
export const TLS_WARNING_TEXT: Readonly<Record<TlsWarning, string>> = {
  cert_expiring: 'the certificate expires soon',
  weak_tls_protocol: 'the protocol is older than TLS 1.2',
  weak_cipher: 'the negotiated cipher is weak',
};
