import {
  cipherListAllowsAnonymous,
  cipherWeaknesses,
  classifyCipher,
  isAnonymousCipher,
  isWeakCipher,
} from '../../../shared/tls/ciphers';
import { isWeakTlsProtocol } from '../../../shared/tls/versions';

describe('negotiated cipher classification', () => {
  it.each([
    ['ADH-AES256-GCM-SHA384', true],
    ['AECDH-AES128-SHA', true],
    ['EXP-ADH-DES-CBC-SHA', true],
    ['TLS_DH_anon_WITH_AES_128_CBC_SHA', true],
    ['ECDHE-RSA-AES256-GCM-SHA384', false],
    ['DHE-RSA-AES128-SHA', false],
    ['TLS_AES_256_GCM_SHA384', false],
  ])('%s anonymous: %s', (name, anonymous) => {
    expect(isAnonymousCipher(name)).toBe(anonymous);
  });

  it.each([
    ['RC4-SHA', ['rc4']],
    ['RC4-MD5', ['rc4', 'md5']],
    ['DES-CBC3-SHA', ['3des']],
    ['ECDHE-RSA-DES-CBC3-SHA', ['3des']],
    ['DES-CBC-SHA', ['des']],
    ['NULL-SHA256', ['null']],
    ['ECDHE-RSA-NULL-SHA', ['null']],
    ['EXP-RC4-MD5', ['rc4', 'export', 'md5']],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', ['3des']],
    ['ECDHE-RSA-AES256-GCM-SHA384', []],
    ['TLS_CHACHA20_POLY1305_SHA256', []],
    ['ADH-AES256-GCM-SHA384', []],
  ])('%s weaknesses: %j', (name, weaknesses) => {
    expect(cipherWeaknesses(name)).toEqual(weaknesses);
    expect(isWeakCipher(name)).toBe(weaknesses.length > 0);
  });

  it('combines both verdicts', () => {
    expect(classifyCipher('AECDH-NULL-SHA')).toEqual({ anonymous: true, weaknesses: ['null'] });
  });

  it.each([
    ['SSLv3', true],
    ['TLSv1', true],
    ['TLSv1.1', true],
    ['TLSv1.2', false],
    ['TLSv1.3', false],
  ])('protocol %s weak: %s', (protocol, weak) => {
    expect(isWeakTlsProtocol(protocol)).toBe(weak);
  });
});

describe('cipherListAllowsAnonymous (OpenSSL cipher strings)', () => {
  it.each([
    // AsyncOS-style outbound lists; docs/domain.md#the-anonymous-cipher-failure: the fix appends :-aNULL.
    ['ALL', true],
    ['RC4-SHA:RC4-MD5:ALL', true],
    ['RC4-SHA:RC4-MD5:ALL:-aNULL', false],
    [
      'ECDH+aRSA:ECDH+ECDSA:DHE+DSS+AES:AES128:AES256:!SRP:!AESGCM+DH+aRSA:!AESGCM+RSA:!aNULL:!eNULL:!DES:!3DES:!RC4:!EXP',
      false,
    ],
    ['HIGH:MEDIUM:!aNULL', false],
    ['HIGH', true],
    ['DEFAULT', false],
    ['ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256', false],
    ['aNULL:@SECLEVEL=0', true],
    ['ADH-AES256-GCM-SHA384', true],
    // -aNULL removes, a later word adds back; !aNULL removes for good.
    ['ALL:-aNULL:HIGH', true],
    ['ALL:!aNULL:HIGH', false],
    // ADH excludes AECDH in OpenSSL, so !ADH alone leaves AECDH suites in.
    ['ALL:!ADH', true],
    ['ALL:!ADH:!AECDH', false],
    ['AES+aRSA', false],
    ['AES+aNULL', true],
    ['+aNULL:DEFAULT', false],
    ['', false],
  ])('%j → %s', (list, allows) => {
    expect(cipherListAllowsAnonymous(list).allowsAnonymous).toBe(allows);
  });

  it('names the word responsible', () => {
    expect(cipherListAllowsAnonymous('RC4-SHA:ALL').reason).toContain('"ALL"');
    expect(cipherListAllowsAnonymous('ALL:!aNULL').reason).toContain('"!aNULL"');
    expect(cipherListAllowsAnonymous('ALL:-aNULL').reason).toContain('"-aNULL"');
  });
});
