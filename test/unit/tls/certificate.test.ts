import {
  certificateFacts,
  certificateValidity,
  daysRemaining,
  formatDistinguishedName,
  hasCertificate,
  isExpiringSoon,
  parseCertificateDate,
  parseSubjectAltNames,
} from '../../../shared/tls/certificate';

const NOW = new Date('2026-06-01T12:00:00Z');
const FP = `${'0A:'.repeat(31)}0A`;

const peer = {
  subject: { C: 'US', O: 'Example', CN: 'sma.example.com' },
  issuer: { CN: 'Example CA', OU: ['Mail', 'Security'] },
  subjectaltname: 'DNS:sma.example.com, DNS:sma, IP Address:10.0.0.5',
  fingerprint256: FP.toLowerCase(),
  valid_from: 'Jan  1 00:00:00 2026 GMT',
  valid_to: 'Jun 21 12:00:00 2026 GMT',
};

describe('certificate facts', () => {
  it('turns a Node peer certificate into the probe facts', () => {
    expect(certificateFacts(peer, NOW)).toEqual({
      subject: 'C=US, O=Example, CN=sma.example.com',
      issuer: 'CN=Example CA, OU=Mail, OU=Security',
      subjectAltNames: ['DNS:sma.example.com', 'DNS:sma', 'IP Address:10.0.0.5'],
      fingerprint256: FP,
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2026-06-21T12:00:00.000Z',
      daysRemaining: 20,
    });
  });

  it('returns null for the empty object Node gives when no certificate was sent', () => {
    expect(hasCertificate({})).toBe(false);
    expect(certificateFacts({}, NOW)).toBeNull();
    expect(certificateFacts(null, NOW)).toBeNull();
  });

  it('reads quoted SAN values that contain commas', () => {
    expect(parseSubjectAltNames('DNS:a.example, DNS:"b,c.example", URI:http://x/')).toEqual([
      'DNS:a.example',
      'DNS:b,c.example',
      'URI:http://x/',
    ]);
    expect(parseSubjectAltNames(undefined)).toEqual([]);
  });

  it('formats empty or missing names as an empty string', () => {
    expect(formatDistinguishedName(undefined)).toBe('');
    expect(formatDistinguishedName({})).toBe('');
  });

  it('parses OpenSSL dates with space-padded days, and rejects nonsense', () => {
    expect(parseCertificateDate('Sep  6 01:02:03 2030 GMT')?.toISOString()).toBe('2030-09-06T01:02:03.000Z');
    expect(parseCertificateDate('Foo 40 99:99:99 2030 GMT')).toBeNull();
    expect(parseCertificateDate('soon')).toBeNull();
    expect(parseCertificateDate(undefined)).toBeNull();
  });

  it('counts whole days, negative once expired', () => {
    expect(daysRemaining(new Date('2026-06-02T11:59:59Z'), NOW)).toBe(0);
    expect(daysRemaining(new Date('2026-06-03T12:00:00Z'), NOW)).toBe(2);
    expect(daysRemaining(new Date('2026-05-31T12:00:00Z'), NOW)).toBe(-1);
  });
});

describe('certificate validity', () => {
  const facts = certificateFacts(peer, NOW)!;

  it('classifies before, inside and after the window', () => {
    expect(certificateValidity(facts, new Date('2025-12-31T23:59:59Z'))).toBe('not_yet_valid');
    expect(certificateValidity(facts, NOW)).toBe('valid');
    expect(certificateValidity(facts, new Date('2026-06-21T12:00:01Z'))).toBe('expired');
  });

  it('warns inside the threshold only, and not once expired', () => {
    expect(isExpiringSoon(facts, 30, NOW)).toBe(true);
    expect(isExpiringSoon(facts, 20, NOW)).toBe(false);
    expect(isExpiringSoon(facts, 30, new Date('2026-07-01T00:00:00Z'))).toBe(false);
  });
});
