import {
  certificateFacts,
  certificateValidity,
  daysRemaining,
  expiredAgo,
  expiresIn,
  expiresWithinDays,
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

  const H = 3_600_000;
  const at = (ms: number) => new Date(NOW.getTime() + ms);
  it.each([
    ['47 h left', 47 * H, 1],
    ['exactly 24 h left', 24 * H, 1],
    ['1 ms under a day left', 24 * H - 1, 0],
    ['1 ms left', 1, 0],
    ['expiring now', 0, 0],
    ['expired 1 ms ago', -1, 0],
    ['expired 23 h ago', -23 * H, 0],
    ['expired exactly 24 h ago', -24 * H, -1],
    ['expired 25 h ago', -25 * H, -1],
    ['expired 47 h ago', -47 * H, -1],
    ['expired 48 h ago', -48 * H, -2],
  ])('truncates toward zero on both signs: %s', (_label, offset, days) => {
    const got = daysRemaining(at(offset), NOW);
    expect(got).toBe(days);
    expect(Object.is(got, -0)).toBe(false);
  });

  it('says how long ago and how soon by the same count', () => {
    expect(expiredAgo(daysRemaining(at(-25 * H), NOW))).toBe('1 day ago');
    expect(expiredAgo(daysRemaining(at(-23 * H), NOW))).toBe('less than a day ago');
    expect(expiredAgo(-3)).toBe('3 days ago');
    expect(expiresIn(daysRemaining(at(23 * H), NOW))).toBe('less than a day');
    expect(expiresIn(1)).toBe('1 day');
    expect(expiresIn(12)).toBe('12 days');
  });

  it('the day rule and the millisecond window agree on expiring, around every boundary', () => {
    const facts = (ms: number) => ({ ...certificateFacts(peer, NOW)!, validTo: at(ms).toISOString() });
    for (const warnDays of [0, 1, 30]) {
      for (const ms of [
        -25 * H,
        -1,
        0,
        1,
        24 * H - 1,
        24 * H,
        warnDays * 24 * H - 1,
        warnDays * 24 * H,
        warnDays * 24 * H + 1,
      ]) {
        const byDays = expiresWithinDays(daysRemaining(at(ms), NOW), warnDays) && ms >= 0;
        const byWindow = ms >= 0 && ms < warnDays * 24 * H;
        expect([warnDays, ms, isExpiringSoon(facts(ms), warnDays, NOW)]).toEqual([warnDays, ms, byWindow]);
        expect([warnDays, ms, byDays]).toEqual([warnDays, ms, byWindow]);
      }
    }
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
