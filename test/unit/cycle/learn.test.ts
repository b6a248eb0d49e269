/** What a cycle learns from its SSH reads for the probes: outbound cipher lists and TLS versions. */
import {
  CIPHER_LIST_MAX,
  learnOutbound,
  outboundCiphersOf,
  outboundVersionsOf,
} from '../../../shared/cycle/learn';
import { cmd, configObs, read, showconfig, sslconfig } from '../findings/builders';

const SAFE = 'HIGH:MEDIUM:-SSLv2:-aNULL';
const ANON = 'aNULL:HIGH:MEDIUM:-SSLv2';

/** showconfig facts whose outbound settings are the given ones. */
function showOutbound(ciphers: string | null, methods: string | null) {
  return showconfig({
    tls: { inbound: { methods: null, ciphers: null }, outbound: { methods, ciphers } },
  });
}

describe('outboundCiphersOf', () => {
  it("takes sslconfig's list over showconfig's", () => {
    const r = read({ sslconfig: cmd(sslconfig(ANON, true)), showconfig: cmd(showOutbound(SAFE, null)) });
    expect(outboundCiphersOf(r)).toBe(ANON);
  });

  it("falls back to showconfig's list when sslconfig did not run cleanly", () => {
    const r = read({
      sslconfig: cmd(sslconfig(ANON, true), '', 'command_timeout'),
      showconfig: cmd(showOutbound(SAFE, null)),
    });
    expect(outboundCiphersOf(r)).toBe(SAFE);
  });

  it("falls back to showconfig's list when sslconfig's is not one to learn", () => {
    const r = read({
      sslconfig: cmd(sslconfig('A'.repeat(CIPHER_LIST_MAX + 1), false)),
      showconfig: cmd(showOutbound(SAFE, null)),
    });
    expect(outboundCiphersOf(r)).toBe(SAFE);
  });

  it('learns nothing from a read that shows no list', () => {
    expect(outboundCiphersOf(read({ showconfig: cmd(showOutbound(null, 'TLS v1.2')) }))).toBeUndefined();
    expect(outboundCiphersOf(read({}))).toBeUndefined();
  });
});

describe('outboundVersionsOf', () => {
  it("reads sslconfig's methods first", () => {
    const r = read({
      sslconfig: cmd(sslconfig(SAFE, false)),
      showconfig: cmd(showOutbound(SAFE, 'tlsv1/tlsv1.2')),
    });
    expect(outboundVersionsOf(r)).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  });

  it("falls back to showconfig's methods when sslconfig's name no TLS version", () => {
    const ssl = sslconfig(SAFE, false);
    ssl.outbound.methods = 'sslv3';
    const r = read({ sslconfig: cmd(ssl), showconfig: cmd(showOutbound(SAFE, 'tlsv1/tlsv1.2')) });
    expect(outboundVersionsOf(r)).toEqual({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2' });
  });

  it('does not parse an oversized methods value', () => {
    const r = read({ showconfig: cmd(showOutbound(SAFE, `${'x'.repeat(300)} TLSv1.2`)) });
    expect(outboundVersionsOf(r)).toBeUndefined();
  });
});

describe('learnOutbound', () => {
  it("updates what earlier cycles learned with this cycle's reads and keeps the rest", () => {
    const before = {
      outboundCiphers: { esa1: SAFE, esa2: SAFE },
      outboundVersions: { esa2: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' } as const },
    };
    const learned = learnOutbound(before, [
      configObs('esa1', read({ sslconfig: cmd(sslconfig(ANON, true)) })),
      // esa2's read showed nothing usable: what was learned before stays.
      configObs('esa2', read({}, { code: 'connect_refused', status: 'critical' })),
    ]);
    expect(learned).toEqual({
      outboundCiphers: { esa1: ANON, esa2: SAFE },
      outboundVersions: {
        esa1: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
        esa2: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
      },
    });
    // The memory it came from is not changed in place.
    expect(before.outboundCiphers.esa1).toBe(SAFE);
  });

  it('starts from nothing on a first cycle', () => {
    expect(learnOutbound({}, [])).toEqual({ outboundCiphers: {}, outboundVersions: {} });
  });
});
