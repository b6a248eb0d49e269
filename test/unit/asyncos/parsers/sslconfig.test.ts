import { judgeAnonymous, parseSslconfig } from '../../../../shared/asyncos/parsers/sslconfig';
import { fixture } from '../fixture';

describe('parseSslconfig', () => {
  it('reads indented lists and flags an outbound list without -aNULL', () => {
    const out = parseSslconfig(fixture('sslconfig-new-anonymous.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.inbound).toEqual({
      methods: 'tlsv1/tlsv1.2',
      ciphers: 'MEDIUM:HIGH:-SSLv2:-aNULL:@STRENGTH',
    });
    expect(out.facts.outbound.ciphers).toBe('MEDIUM:HIGH:-SSLv2:@STRENGTH');
    expect(out.facts.outboundAllowsAnonymous).toBe(true);
    expect(out.facts.anonymousReason).toMatch(/HIGH/);
  });

  it('reads one-line lists of older releases; -aNULL at the end fixes it', () => {
    const out = parseSslconfig(fixture('sslconfig-old-fixed.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.outbound).toEqual({ methods: 'sslv3tlsv1', ciphers: 'RC4-SHA:RC4-MD5:ALL:-aNULL' });
    expect(out.facts.outboundAllowsAnonymous).toBe(false);
  });

  it('refuses output without SMTP settings', () => {
    const out = parseSslconfig(fixture('sslconfig-garbled.txt'));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(/Command not found/);
  });

  it.each([
    ['ALL', true],
    ['ALL:!aNULL', false],
    ['-aNULL:ALL', true],
    ['DEFAULT', false],
    ['ECDHE-RSA-AES256-GCM-SHA384:ADH-AES256-SHA', true],
    ['ECDHE-RSA-AES256-GCM-SHA384:AES256-SHA', false],
  ])('judges %s → %s', (list, allows) => {
    expect(judgeAnonymous(list).allows).toBe(allows);
  });

  it('does not judge an absent list', () => {
    expect(judgeAnonymous(null)).toEqual({ allows: false, reason: null });
  });
});
