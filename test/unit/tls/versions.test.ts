import {
  isTlsVersion,
  isWeakTlsProtocol,
  OLDEST_STRONG_TLS_VERSION,
  TLS_VERSIONS,
  tlsVersionRank,
  versionsFromMethods,
} from '../../../shared/tls/versions';

describe('the TLS version order', () => {
  test('oldest first, in the spelling Node accepts for minVersion/maxVersion', () => {
    expect(TLS_VERSIONS).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    expect(TLS_VERSIONS.map(tlsVersionRank)).toEqual([0, 1, 2, 3]);
  });

  test('isTlsVersion accepts exactly those spellings', () => {
    for (const v of TLS_VERSIONS) expect(isTlsVersion(v)).toBe(true);
    for (const v of ['SSLv3', 'tlsv1.2', 'TLSv1.0', 'TLSv1.4', '']) expect(isTlsVersion(v)).toBe(false);
  });

  test('weak means older than TLS 1.2, whatever the case or spacing the peer reports', () => {
    expect(OLDEST_STRONG_TLS_VERSION).toBe('TLSv1.2');
    for (const p of ['SSLv2', 'sslv3', ' TLSv1 ', 'tlsv1.1']) expect(isWeakTlsProtocol(p)).toBe(true);
    for (const p of ['TLSv1.2', 'tlsv1.3', 'unknown', '']) expect(isWeakTlsProtocol(p)).toBe(false);
  });
});

describe('versionsFromMethods: what an appliance offers, from its sslconfig methods', () => {
  test.each([
    ['tlsv1/tlsv1.2', 'TLSv1', 'TLSv1.2'],
    ['tlsv1.2', 'TLSv1.2', 'TLSv1.2'],
    ['TLS v1.2', 'TLSv1.2', 'TLSv1.2'],
    ['TLS v1.0 TLS v1.1 TLS v1.2', 'TLSv1', 'TLSv1.2'],
    ['sslv3tlsv1', 'TLSv1', 'TLSv1'],
    ['TLSv1.2 TLSv1.3', 'TLSv1.2', 'TLSv1.3'],
  ])('%s -> %s..%s', (methods, min, max) => {
    expect(versionsFromMethods(methods)).toEqual({ minVersion: min, maxVersion: max });
  });

  test('no TLS version in the text: null (SSLv3 alone, garbage, a version Node does not know)', () => {
    expect(versionsFromMethods('sslv3')).toBeNull();
    expect(versionsFromMethods('')).toBeNull();
    expect(versionsFromMethods('tlsv1.9')).toBeNull();
  });
});
