/**
 * The probe against the lab: every code a lab listener can produce, with the evidence that proves
 * it. Each listener runs on 127.0.0.1 (or ::1) with port 0 and is closed by the test.
 */
import { lookup } from 'node:dns/promises';
import {
  createLabCertificates,
  type LabCertificates,
  type LabListener,
  type ListenerFault,
  startLabListener,
} from '../../../lab';
import { probeListener } from '../../../shared/probes';
import type { ProbeOptions, ProbeResult } from '../../../shared/probes/types';
import { cipherListAllowsAnonymous } from '../../../shared/tls/ciphers';

let certs: LabCertificates;
const open: LabListener[] = [];

beforeAll(async () => {
  certs = await createLabCertificates({ hostname: 'sma1.lab.example' });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function lab(fault: ListenerFault = 'none', host = '127.0.0.1'): Promise<LabListener> {
  const l = await startLabListener({ certs, fault, host });
  open.push(l);
  return l;
}

/**
 * Deadlines with room for a DHE handshake on a loaded two-core machine (a 400 ms phase deadline
 * flaked there); the tests of silent peers set short ones themselves.
 */
async function probe(l: LabListener, extra: Partial<ProbeOptions> = {}): Promise<ProbeResult> {
  return probeListener({ host: l.host, port: l.port, timeoutMs: 8000, phaseTimeoutMs: 4000, ...extra });
}

describe('healthy listener', () => {
  it('reports ok with the full TLS evidence', async () => {
    const l = await lab();
    const r = await probe(l, { ehloName: 'probe.test' });
    expect(r).toMatchObject({
      status: 'ok',
      code: 'ok',
      warnings: [],
      host: '127.0.0.1',
      address: '127.0.0.1',
    });
    expect(r.banner).toBe('220 sma1.lab.example ESMTP cpq-monitor lab');
    expect(r.extensions).toContain('STARTTLS');
    expect(r.tls).toMatchObject({
      protocol: 'TLSv1.3',
      anonymous: false,
      verified: false,
      verifyError: null,
    });
    expect(r.tls?.certificate).toMatchObject({
      subject: 'CN=sma1.lab.example, O=cpq-monitor lab',
      issuer: 'CN=cpq-monitor lab CA, O=cpq-monitor lab',
      fingerprint256: l.fingerprint256,
      validTo: certs.healthy.notAfter.toISOString(),
      validFrom: certs.healthy.notBefore.toISOString(),
    });
    expect(r.tls?.certificate?.subjectAltNames).toEqual(
      expect.arrayContaining(['DNS:sma1.lab.example', 'IP Address:127.0.0.1']),
    );
    expect(r.tls?.certificate?.daysRemaining).toBeGreaterThan(360);
    for (const phase of ['connectMs', 'bannerMs', 'ehloMs', 'starttlsMs', 'tlsMs', 'totalMs'] as const) {
      expect(r.timings[phase]).toBeGreaterThanOrEqual(0);
    }
    expect(r.message).toContain('works');
  });

  it('verifies against a pin given in any form', async () => {
    const l = await lab();
    const r = await probe(l, { pins: [l.fingerprint256.replace(/:/g, '').toLowerCase()] });
    expect(r).toMatchObject({ status: 'ok', code: 'ok' });
    expect(r.tls?.verified).toBe(true);
  });

  it('verifies against the lab CA, by address and by servername', async () => {
    const l = await lab();
    const byAddress = await probe(l, { ca: l.caPem });
    expect(byAddress.tls).toMatchObject({ verified: true, verifyError: null });
    const byName = await probe(l, { ca: Buffer.from(l.caPem), servername: 'sma1.lab.example' });
    expect(byName).toMatchObject({ code: 'ok' });
    expect(byName.tls?.verified).toBe(true);
  });

  it('works over IPv6 literals, bracketed or not', async () => {
    const l = await lab('none', '::1');
    for (const host of ['::1', '[::1]']) {
      const r = await probe(l, { host });
      expect(r).toMatchObject({ code: 'ok', host: '::1', address: '::1' });
    }
  });

  it('resolves a name, timing the lookup', async () => {
    const { address } = await lookup('localhost');
    const l = await lab('none', address);
    const r = await probe(l, { host: 'localhost', ca: l.caPem });
    expect(r).toMatchObject({ code: 'ok', host: 'localhost', address });
    expect(r.tls?.verified).toBe(true);
    expect(r.timings.dnsMs).toBeGreaterThanOrEqual(0);
  });
});

describe('anonymous ciphers (docs/domain.md#the-anonymous-cipher-failure)', () => {
  it('reports tls_no_certificate when the offered list puts aNULL first, like an ESA without -aNULL', async () => {
    const l = await lab();
    const r = await probe(l, { ciphers: 'aNULL:ALL' });
    expect(r).toMatchObject({ status: 'critical', code: 'tls_no_certificate', phase: 'tls' });
    expect(r.tls).toMatchObject({ protocol: 'TLSv1.2', anonymous: true, certificate: null, verified: false });
    expect(r.tls?.cipher).toMatch(/^(ADH|AECDH)-/);
    expect(r.message).toContain('-aNULL');
  });

  it('gets the certificate from the same listener once :-aNULL is appended', async () => {
    const l = await lab();
    const r = await probe(l, { ciphers: 'aNULL:ALL:-aNULL' });
    expect(r).toMatchObject({ code: 'ok' });
    expect(r.tls?.anonymous).toBe(false);
    expect(r.tls?.certificate?.fingerprint256).toBe(l.fingerprint256);
  });

  it('on an anonymous-only listener: tls_no_certificate for an anonymous-capable list, handshake failure otherwise', async () => {
    const l = await lab('anonymous_only');
    expect(await probe(l, { ciphers: 'ALL' })).toMatchObject({ code: 'tls_no_certificate' });
    const sane = await probe(l);
    expect(sane).toMatchObject({ status: 'critical', code: 'tls_handshake_failed', phase: 'tls' });
    expect(sane.tls).toBeNull();
  });
});

describe('no encryption (NULL ciphers)', () => {
  // The lab's inbound list holds eNULL at security level 0, like an appliance that accepts it.
  it.each(['NULL-SHA256', 'eNULL:ALL', 'NULL-SHA256:ALL'])(
    'offered %s: the clear-text session is critical tls_no_encryption, not a warning',
    async (ciphers) => {
      const l = await lab();
      const r = await probe(l, { ciphers });
      expect(r).toMatchObject({ status: 'critical', code: 'tls_no_encryption', phase: 'tls' });
      expect(r.tls?.protocol).toBe('TLSv1.2');
      expect(r.tls?.cipher).toMatch(/(^|-)NULL-/);
      expect(r.message).toContain(':-eNULL');
    },
  );

  it('the same listener encrypts once :-eNULL is appended to the offered list', async () => {
    const l = await lab();
    const r = await probe(l, { ciphers: 'eNULL:ALL:-eNULL' });
    expect(r).toMatchObject({ code: 'ok' });
    expect(r.tls?.cipher).not.toMatch(/NULL/);
  });
});

describe('cipherListAllowsAnonymous agrees with OpenSSL', () => {
  // An anonymous-only listener completes a handshake exactly when the offered list holds an aNULL
  // suite, so each verdict of the string evaluator is checked against OpenSSL itself.
  it.each([
    'ALL',
    'HIGH',
    'DEFAULT',
    'ALL:-aNULL',
    'ALL:!aNULL',
    'ALL:-aNULL:HIGH',
    'ALL:!ADH',
    'ALL:!ADH:!AECDH',
    'AES+aNULL',
    'AES+aRSA',
    'kEDH',
    'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256',
    'RC4-SHA:RC4-MD5:ALL:-aNULL',
    'AECDH-AES128-SHA',
  ])('%s', async (list) => {
    const l = await lab('anonymous_only');
    const r = await probe(l, { ciphers: list });
    const expected = cipherListAllowsAnonymous(list).allowsAnonymous
      ? 'tls_no_certificate'
      : 'tls_handshake_failed';
    expect(r.code).toBe(expected);
  });
});

describe('faults', () => {
  it('refused: connect_refused, then ok again on the same port once resumed', async () => {
    const l = await lab('refused');
    const port = l.port;
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'connect_refused', phase: 'connect', banner: null });
    expect(r.message).toContain(`127.0.0.1:${port}`);
    await l.setFault('none');
    expect(l.port).toBe(port);
    expect(await probe(l)).toMatchObject({ code: 'ok' });
  });

  it.each<[ListenerFault, string]>([
    ['silent', 'banner_timeout'],
    ['slow_drip', 'banner_timeout'],
  ])('%s: %s within the phase deadline', async (fault, code) => {
    const l = await lab(fault);
    const r = await probe(l, { timeoutMs: 3000, phaseTimeoutMs: 400 });
    expect(r).toMatchObject({ status: 'critical', code, phase: 'banner', banner: null });
  });

  it('silent: the overall deadline cuts a longer phase deadline', async () => {
    const l = await lab('silent');
    const r = await probe(l, { timeoutMs: 300, phaseTimeoutMs: 60_000 });
    expect(r).toMatchObject({ code: 'banner_timeout' });
  });

  it('greeting_421: banner_rejected with the greeting as evidence', async () => {
    const l = await lab('greeting_421');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'banner_rejected', phase: 'banner' });
    expect(r.banner).toMatch(/^421 /);
    expect(r.message).toContain('421');
  });

  it('garbage: protocol_error quoting what was sent', async () => {
    const l = await lab('garbage');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'protocol_error', phase: 'banner' });
    expect(r.message).toContain('not an SMTP reply line');
  });

  it('no_starttls: starttls_not_offered, listing what EHLO offered', async () => {
    const l = await lab('no_starttls');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'starttls_not_offered', phase: 'ehlo' });
    expect(r.extensions).toEqual(['8BITMIME', 'SIZE 10485760']);
  });

  it('starttls_454: starttls_rejected with the reply', async () => {
    const l = await lab('starttls_454');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'starttls_rejected', phase: 'starttls' });
    expect(r.message).toContain('454');
  });

  it('reset_handshake: tls_handshake_failed', async () => {
    const l = await lab('reset_handshake');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'tls_handshake_failed', phase: 'tls' });
    expect(r.message).toContain('ECONNRESET');
  });

  it('expired_cert: cert_expired even without pins or CA, with the dates', async () => {
    const l = await lab('expired_cert');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'cert_expired', phase: 'tls' });
    expect(r.tls?.certificate?.validTo).toBe(certs.expired.notAfter.toISOString());
    // The lab certificate expired one day (and a few seconds) ago: 1 day, not 2.
    expect(r.tls?.certificate?.daysRemaining).toBe(-1);
    expect(r.message).toContain('1 day ago');
    expect(r.tls?.verified).toBe(false);
  });

  it('expired_cert with the CA configured: still cert_expired, not untrusted', async () => {
    const l = await lab('expired_cert');
    const r = await probe(l, { ca: l.caPem });
    expect(r).toMatchObject({ code: 'cert_expired' });
    expect(r.tls?.verifyError).toBe('CERT_HAS_EXPIRED');
  });

  it('not_yet_valid_cert: cert_not_yet_valid', async () => {
    const l = await lab('not_yet_valid_cert');
    const r = await probe(l);
    expect(r).toMatchObject({ status: 'critical', code: 'cert_not_yet_valid', phase: 'tls' });
    expect(r.tls?.certificate?.validFrom).toBe(certs.notYetValid.notBefore.toISOString());
  });

  it('wrong_cert: cert_pin_mismatch against the healthy pin, naming the fingerprint seen', async () => {
    const l = await lab('wrong_cert');
    const r = await probe(l, { pins: [l.fingerprint256] });
    expect(r).toMatchObject({ status: 'critical', code: 'cert_pin_mismatch', phase: 'tls' });
    expect(r.tls?.certificate?.fingerprint256).toBe(certs.wrong.fingerprint256);
    expect(r.message).toContain(certs.wrong.fingerprint256);
  });

  it('wrong_cert without pins is fine: same CA, same names', async () => {
    const l = await lab('wrong_cert');
    expect(await probe(l, { ca: l.caPem })).toMatchObject({ code: 'ok' });
  });
});

describe('trust', () => {
  it('cert_untrusted when the CA is not the issuer', async () => {
    const l = await lab();
    const other = await createLabCertificates();
    const r = await probe(l, { ca: other.ca.certPem });
    expect(r).toMatchObject({ status: 'critical', code: 'cert_untrusted', phase: 'tls' });
    expect(r.tls?.verifyError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('cert_untrusted when the servername is not in the certificate', async () => {
    const l = await lab();
    const r = await probe(l, { ca: l.caPem, servername: 'esa9.other.example' });
    expect(r).toMatchObject({ code: 'cert_untrusted' });
    expect(r.message).toContain('esa9.other.example');
  });

  it('an untrusted self-signed situation is not a failure when nothing is configured', async () => {
    const l = await lab();
    const r = await probe(l, { servername: 'esa9.other.example' });
    expect(r).toMatchObject({ code: 'ok' });
    expect(r.tls?.verified).toBe(false);
  });
});

describe('warnings', () => {
  it('cert_expiring under the configured threshold', async () => {
    const l = await lab();
    const r = await probe(l, { expiryWarnDays: 400 });
    expect(r).toMatchObject({ status: 'warning', code: 'ok', warnings: ['cert_expiring'] });
  });

  it('weak_tls_protocol below TLS 1.2', async () => {
    const l = await lab();
    const r = await probe(l, { maxVersion: 'TLSv1.1' });
    expect(r).toMatchObject({ status: 'warning', code: 'ok', warnings: ['weak_tls_protocol'] });
    expect(r.tls?.protocol).toBe('TLSv1.1');
  });

  it('a NULL suite is critical tls_no_encryption and keeps its weak_cipher warning', async () => {
    const l = await lab();
    const r = await probe(l, { ciphers: 'NULL-SHA256', maxVersion: 'TLSv1.2' });
    expect(r).toMatchObject({ status: 'critical', code: 'tls_no_encryption', warnings: ['weak_cipher'] });
    expect(r.tls?.cipher).toBe('NULL-SHA256');
  });

  it('keeps warnings on a critical result', async () => {
    const l = await lab('expired_cert');
    const r = await probe(l, { maxVersion: 'TLSv1.1' });
    expect(r).toMatchObject({ code: 'cert_expired', warnings: ['weak_tls_protocol'] });
  });
});

describe('edges', () => {
  it('dns_failed for a name that cannot resolve (an empty label fails in the resolver, no query is sent)', async () => {
    const r = await probeListener({ host: 'cpq..invalid', port: 7025, timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 'critical', code: 'dns_failed', phase: 'dns', address: null });
  });

  it('reports unusable TLS settings as a result, not an exception', async () => {
    const l = await lab();
    const r = await probe(l, { ciphers: 'NO-SUCH-CIPHER' });
    expect(r).toMatchObject({ status: 'critical', code: 'tls_handshake_failed', phase: 'tls' });
    expect(r.message).toContain('OpenSSL');
  });
});
