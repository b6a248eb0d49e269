import { labPlan } from '../../../cli/lab';
import { parseTarget } from '../../../cli/output';
import { formatProbeReport, probeOptionsFromFlags } from '../../../cli/probe';
import { ConfigError } from '../../../shared/errors';
import type { ProbeResult } from '../../../shared/probes/types';

describe('parseTarget', () => {
  it.each([
    ['sma1.example.com', { host: 'sma1.example.com' }],
    ['sma1.example.com:7026', { host: 'sma1.example.com', port: 7026 }],
    ['10.0.0.5:25', { host: '10.0.0.5', port: 25 }],
    ['::1', { host: '::1' }],
    ['[::1]', { host: '::1' }],
    ['[2001:db8::5]:7025', { host: '2001:db8::5', port: 7025 }],
  ])('%s', (input, expected) => {
    expect(parseTarget(input)).toEqual(expected);
  });

  it.each(['', 'host:', 'host:port', 'a:b:c', 'host:70000', '[::1]:0'])('rejects %j', (input) => {
    expect(() => parseTarget(input)).toThrow(ConfigError);
  });
});

describe('probeOptionsFromFlags', () => {
  it('applies the port from the target or --port, and normalises pins', () => {
    const opts = probeOptionsFromFlags('esa1:7026', {
      pin: ['ab'.repeat(32)],
      tlsMax: 'TLSv1.2',
      timeout: 500,
      expiryWarnDays: 7,
      ehlo: 'monitor.example',
    });
    expect(opts).toEqual({
      host: 'esa1',
      port: 7026,
      pins: [Array(32).fill('AB').join(':')],
      maxVersion: 'TLSv1.2',
      timeoutMs: 500,
      expiryWarnDays: 7,
      ehloName: 'monitor.example',
    });
    expect(probeOptionsFromFlags('esa1', {}).port).toBe(7025);
    expect(probeOptionsFromFlags('esa1', { port: 2525 }).port).toBe(2525);
  });

  it.each<[string, Parameters<typeof probeOptionsFromFlags>[1], string]>([
    ['esa1:7026', { port: 7025 }, 'given twice'],
    ['esa1', { pin: ['abc'] }, 'not a SHA-256 fingerprint'],
    ['esa1', { ca: '/nonexistent/ca.pem' }, 'cannot read the file'],
    ['esa1', { ciphers: 'NOT-A-CIPHER' }, 'OpenSSL refuses'],
    ['esa1', { tlsMin: 'TLSv1.3', tlsMax: 'TLSv1.2' }, 'above maximum'],
  ])('%s %j is a usage error', (target, flags, text) => {
    expect(() => probeOptionsFromFlags(target, flags)).toThrow(text);
  });
});

describe('labPlan', () => {
  it('one listener per fault by default, N healthy ones with --count, N of each named fault', () => {
    expect(labPlan(undefined, undefined)).toHaveLength(13);
    expect(labPlan(undefined, 3)).toEqual(['none', 'none', 'none']);
    expect(labPlan(['silent', 'wrong_cert'], 2)).toEqual(['silent', 'wrong_cert', 'silent', 'wrong_cert']);
    expect(() => labPlan(['melted'], 1)).toThrow(ConfigError);
  });
});

describe('formatProbeReport', () => {
  const failure: ProbeResult = {
    host: '2001:db8::5',
    port: 7025,
    address: '2001:db8::5',
    startedAt: '2026-01-01T00:00:00.000Z',
    status: 'critical',
    code: 'tls_no_certificate',
    phase: 'tls',
    message: 'The anonymous cipher ADH-AES256-GCM-SHA384 was negotiated.',
    timings: { connectMs: 1, bannerMs: 2, ehloMs: 3, starttlsMs: 4, tlsMs: 5, totalMs: 15.5 },
    banner: '220 sma ESMTP',
    extensions: ['STARTTLS'],
    tls: {
      protocol: 'TLSv1.2',
      cipher: 'ADH-AES256-GCM-SHA384',
      anonymous: true,
      certificate: null,
      verified: false,
      verifyError: 'no certificate from server',
    },
    warnings: [],
  };

  it('shows each phase, the TLS facts, the verdict and the fix', () => {
    const text = formatProbeReport(failure, { host: '2001:db8::5', ciphers: 'ALL' });
    expect(text).toContain('CPQ listener [2001:db8::5]:7025');
    expect(text).toMatch(/tls\s+5\.00 ms\s+FAILED TLSv1\.2 ADH-AES256-GCM-SHA384/);
    expect(text).toContain('ANONYMOUS');
    expect(text).toContain('certificate  none');
    expect(text).toContain('Note: TLS capped at TLSv1.2');
    expect(text).toContain('CRITICAL tls_no_certificate');
    expect(text).toContain('Hint: An anonymous (aNULL) cipher');
  });
});
