import { daysRemaining } from '../../../shared/tls/certificate';
import {
  judgeSession,
  type SessionEvidence,
  TLS_WARNING_TEXT,
  tlsWarnings,
} from '../../../shared/tls/judgement';
import type { TlsFacts } from '../../../shared/tls/types';
import { DAY, type Made, make } from './certificates';

const NOW = new Date();
let root: Made;
let otherRoot: Made;
let intermediate: Made;
let leaf: Made;

beforeAll(async () => {
  root = await make('CN=Judge Root', { ca: true });
  otherRoot = await make('CN=Other Root', { ca: true });
  intermediate = await make('CN=Judge Intermediate', { issuer: root, ca: true });
  leaf = await make('CN=esa1.example.com', {
    issuer: intermediate,
    sans: [{ type: 'dns', value: 'esa1.example.com' }],
  });
});

/** A healthy TLS 1.2 session with the leaf and its intermediate, no pin, no CA. */
function evidence(over: Partial<SessionEvidence> = {}): SessionEvidence {
  return {
    protocol: 'TLSv1.2',
    cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    peer: { leaf: leaf.cert, chain: [intermediate.cert] },
    pins: [],
    ca: undefined,
    name: 'esa1.example.com',
    now: NOW,
    ...over,
  };
}

describe('judgeSession: no certificate', () => {
  it('an anonymous suite: tls_no_certificate, with the appliance error and the fix', () => {
    const j = judgeSession(evidence({ cipher: 'ADH-AES256-GCM-SHA384', peer: null }));
    expect(j.failure?.code).toBe('tls_no_certificate');
    expect(j.failure?.message).toContain('no certificate from server');
    expect(j.failure?.message).toContain(':-aNULL');
    expect(j.tls).toEqual({ ...j.tls, anonymous: true, certificate: null, verified: false });
    expect(j.tls.verifyError).toBe('no certificate from server');
    expect(Object.keys(j.tls)).toEqual([
      'protocol',
      'cipher',
      'anonymous',
      'certificate',
      'verified',
      'verifyError',
    ]);
  });

  it('an authenticated suite without a certificate names protocol and cipher', () => {
    const j = judgeSession(evidence({ peer: null }));
    expect(j.failure).toEqual({
      code: 'tls_no_certificate',
      message: 'The listener sent no certificate over TLSv1.2 with ECDHE-ECDSA-AES256-GCM-SHA384.',
    });
  });
});

describe('judgeSession: pins', () => {
  it('a matching pin verifies, however it is written (case, colons)', () => {
    const pin = leaf.cert.fingerprint256.replace(/:/g, '').toLowerCase();
    const j = judgeSession(evidence({ pins: ['00'.repeat(32), pin] }));
    expect(j.failure).toBeNull();
    expect(j.tls.verified).toBe(true);
    expect(j.tls.verifyError).toBeNull();
  });

  it('no matching pin: cert_pin_mismatch naming the presented fingerprint and the pin count', () => {
    const j = judgeSession(evidence({ pins: ['00'.repeat(32), 'not a fingerprint'] }));
    expect(j.failure?.code).toBe('cert_pin_mismatch');
    expect(j.failure?.message).toContain(leaf.cert.fingerprint256);
    expect(j.failure?.message).toContain('none of the 2 pinned');
    expect(j.tls).toMatchObject({ verified: false, verifyError: 'certificate fingerprint matches no pin' });
  });

  it('pins win over the CA: a matching pin verifies even when the CA would not', () => {
    const j = judgeSession(evidence({ pins: [leaf.cert.fingerprint256], ca: otherRoot.cert.toString() }));
    expect(j.failure).toBeNull();
    expect(j.tls.verified).toBe(true);
  });
});

describe('judgeSession: CA', () => {
  it('a chain to the bundle naming the host verifies', () => {
    const j = judgeSession(evidence({ ca: root.cert.toString() }));
    expect(j.failure).toBeNull();
    expect(j.tls).toMatchObject({ verified: true, verifyError: null });
  });

  it('another CA: cert_untrusted with the OpenSSL code and where the chain stops', () => {
    const j = judgeSession(evidence({ ca: otherRoot.cert.toString() }));
    expect(j.failure?.code).toBe('cert_untrusted');
    expect(j.failure?.message).toContain('does not verify against the configured CA');
    expect(j.failure?.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(j.tls).toMatchObject({ verified: false, verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('a name the certificate does not carry: cert_untrusted listing the names it does carry', () => {
    const j = judgeSession(evidence({ ca: root.cert.toString(), name: 'esa2.example.com' }));
    expect(j.failure).toEqual({
      code: 'cert_untrusted',
      message: 'The certificate does not name esa2.example.com (it names DNS:esa1.example.com).',
    });
    expect(j.tls.verifyError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a bundle that does not parse: cert_untrusted saying so', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const j = judgeSession(evidence({ ca: broken }));
    expect(j.failure?.code).toBe('cert_untrusted');
    expect(j.failure?.message).toMatch(/^The CA bundle could not be read: /);
    expect(j.tls.verified).toBe(false);
    expect(j.tls.verifyError).not.toBeNull();
  });

  it('no pin and no CA: acceptable, not verified', () => {
    const j = judgeSession(evidence());
    expect(j.failure).toBeNull();
    expect(j.tls).toMatchObject({ verified: false, verifyError: null, anonymous: false });
  });
});

describe('judgeSession: dates', () => {
  it('expired: cert_expired (not untrusted) even through a CA, days counted by daysRemaining', async () => {
    const old = await make('CN=esa1.example.com', {
      issuer: root,
      from: NOW.getTime() - 90 * DAY,
      to: NOW.getTime() - 3 * DAY - 1000,
      sans: [{ type: 'dns', value: 'esa1.example.com' }],
    });
    const j = judgeSession(evidence({ peer: { leaf: old.cert, chain: [] }, ca: root.cert.toString() }));
    const days = daysRemaining(new Date(old.cert.validTo), NOW);
    expect(j.tls.certificate?.daysRemaining).toBe(days);
    // Expired 3 days and a second ago is 3 days ago (truncated toward zero), not 4.
    expect(days).toBe(-3);
    expect(j.failure?.code).toBe('cert_expired');
    expect(j.failure?.message).toContain(', 3 days ago.');
    expect(j.tls).toMatchObject({ verified: false, verifyError: 'CERT_HAS_EXPIRED' });
  });

  it('expired but pinned: the pin matched, yet the session is not verified', async () => {
    const old = await make('CN=old', { from: NOW.getTime() - 90 * DAY, to: NOW.getTime() - DAY });
    const j = judgeSession(
      evidence({ peer: { leaf: old.cert, chain: [] }, pins: [old.cert.fingerprint256] }),
    );
    expect(j.failure?.code).toBe('cert_expired');
    expect(j.tls).toMatchObject({ verified: false, verifyError: 'CERT_HAS_EXPIRED' });
  });

  it('not yet valid: cert_not_yet_valid pointing at the clocks', async () => {
    const early = await make('CN=early', { from: NOW.getTime() + DAY, to: NOW.getTime() + 9 * DAY });
    const j = judgeSession(evidence({ peer: { leaf: early.cert, chain: [] } }));
    expect(j.failure?.code).toBe('cert_not_yet_valid');
    expect(j.failure?.message).toContain('check the appliance clock');
    expect(j.tls.verifyError).toBe('CERT_NOT_YET_VALID');
  });
});

describe('tlsWarnings', () => {
  const facts = (over: Partial<TlsFacts>): TlsFacts => ({
    ...judgeSession(evidence()).tls,
    ...over,
  });

  it('a healthy TLS 1.2 session far from expiry raises none', () => {
    expect(tlsWarnings(facts({}), 7, NOW)).toEqual([]);
  });

  it('expiry within the warning window, an old protocol and a weak cipher each raise their warning', () => {
    const tls = facts({ protocol: 'TLSv1', cipher: 'DES-CBC3-SHA' });
    expect(tlsWarnings(tls, 31, NOW)).toEqual(['cert_expiring', 'weak_tls_protocol', 'weak_cipher']);
    expect(tlsWarnings(tls, 31, NOW).map((w) => TLS_WARNING_TEXT[w])).toEqual([
      'the certificate expires soon',
      'the protocol is older than TLS 1.2',
      'the negotiated cipher is weak',
    ]);
  });

  it('an expired certificate is not "expiring" (it is a failure of its own)', () => {
    const later = new Date(NOW.getTime() + 60 * DAY);
    expect(tlsWarnings(facts({}), 90, later)).toEqual([]);
  });
});
