import { versionsFromMethods } from '../../../shared/tls/versions';

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
