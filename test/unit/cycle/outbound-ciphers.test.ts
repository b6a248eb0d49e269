import type { ReadResult } from '../../../shared/asyncos/types';
import { CIPHER_LIST_MAX, outboundCiphersOf } from '../../../shared/cycle/learn';

/** A read whose sslconfig showed `ciphers` as the outbound list. */
function readWith(ciphers: string): ReadResult {
  return {
    host: 'esa1',
    port: 22,
    status: 'ok',
    code: 'ok',
    message: 'read',
    hostKey: null,
    startedAt: '2026-03-02T10:00:00.000Z',
    timings: { totalMs: 1 },
    commands: {
      sslconfig: {
        status: 'ok',
        code: 'ok',
        message: 'ok',
        raw: '',
        parsed: {
          inbound: { methods: null, ciphers: null },
          outbound: { methods: 'TLSv1.2', ciphers },
          outboundAllowsAnonymous: false,
          anonymousReason: null,
        },
      },
    },
  };
}

describe('the outbound cipher list learned from a read', () => {
  it.each([
    'ECDH+aRSA:ECDH+ECDSA:DHE+DSS:-aNULL',
    'HIGH:MEDIUM:@STRENGTH:!aNULL:!eNULL:-SSLv2',
    'RC4-SHA:RC4-MD5:ALL',
  ])('keeps %j', (list) => {
    expect(outboundCiphersOf(readWith(list))).toBe(list);
  });

  it.each([
    ['an oversized list', 'A'.repeat(CIPHER_LIST_MAX + 1)],
    ['a line break', 'ALL\nstatus'],
    ['an escape sequence', 'ALL\x1b[2J'],
    ['quotes', 'ALL" mail_logs'],
  ])('does not learn %s', (_what, list) => {
    expect(outboundCiphersOf(readWith(list))).toBeUndefined();
  });
});
