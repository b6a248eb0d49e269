import { DEFAULT_CIPHERS } from 'node:tls';
import { clientTlsSettings } from '../../../shared/tls/client-context';

describe('clientTlsSettings', () => {
  it('keeps Node defaults when nothing is asked', () => {
    expect(clientTlsSettings({})).toEqual({
      ciphers: DEFAULT_CIPHERS,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      notes: [],
    });
  });

  it('lowers the security level of an appliance list and caps TLS at 1.2 when it can negotiate aNULL', () => {
    const s = clientTlsSettings({ ciphers: 'ALL' });
    expect(s.ciphers).toBe('ALL:@SECLEVEL=0');
    expect(s.maxVersion).toBe('TLSv1.2');
    expect(s.notes[0]).toContain('anonymous');
  });

  it('does not cap a list that excludes aNULL, nor one with an explicit maximum', () => {
    expect(clientTlsSettings({ ciphers: 'ALL:-aNULL' }).maxVersion).toBe('TLSv1.3');
    expect(clientTlsSettings({ ciphers: 'ALL', maxVersion: 'TLSv1.3' }).maxVersion).toBe('TLSv1.3');
  });

  it.each([
    ['NULL-SHA256', true],
    ['ALL:-aNULL:eNULL', true],
    ['ALL:-aNULL:NULL', true],
    ['ALL:-aNULL:eNULL:-eNULL', false],
    ['eNULL:!eNULL:NULL-SHA256', false],
    ['ALL:-aNULL', false],
    ['HIGH:-aNULL:+NULL-SHA256', false],
  ])('caps TLS at 1.2 when %s can negotiate a NULL suite: %s', (ciphers, capped) => {
    const s = clientTlsSettings({ ciphers });
    expect(s.maxVersion).toBe(capped ? 'TLSv1.2' : 'TLSv1.3');
    expect(s.notes.some((n) => n.includes('without encryption'))).toBe(capped);
  });

  it('keeps an explicit security level', () => {
    expect(clientTlsSettings({ ciphers: 'HIGH:@SECLEVEL=1' }).ciphers).toBe('HIGH:@SECLEVEL=1');
  });

  it('allows old protocols when a maximum below TLS 1.2 is asked', () => {
    const s = clientTlsSettings({ maxVersion: 'TLSv1.1' });
    expect(s.minVersion).toBe('TLSv1');
    expect(s.ciphers).toBe(`${DEFAULT_CIPHERS}:@SECLEVEL=0`);
  });
});
