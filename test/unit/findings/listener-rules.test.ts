import { evaluateFindings, LISTENER_CHECKS, SUMMARY_MAX } from '../../../shared/findings';
import type { ProbeCode, ProbePhase, ProbeResult } from '../../../shared/probes/types';
import { certificate, failProbe, inventory, listenerObs, NOW, okProbe, tls } from './builders';

function run(probe: ProbeResult, inv = inventory()) {
  return evaluateFindings({ inventory: inv, now: NOW, listener: [listenerObs('sma1', probe)], config: [] });
}

type Row = [Exclude<ProbeCode, 'ok'>, ProbePhase, string, Partial<ProbeResult>?];
type FullRow = [Exclude<ProbeCode, 'ok'>, ProbePhase, string, Partial<ProbeResult>];

const TABLE: Row[] = [
  ['dns_failed', 'dns', 'cpq_listener_unreachable'],
  ['connect_refused', 'connect', 'cpq_listener_refused'],
  ['connect_timeout', 'connect', 'cpq_listener_unreachable'],
  ['connect_failed', 'connect', 'cpq_listener_unreachable'],
  ['banner_timeout', 'banner', 'cpq_banner_invalid', { banner: null }],
  ['banner_rejected', 'banner', 'cpq_banner_invalid', { banner: '554 No SMTP service here' }],
  ['protocol_error', 'banner', 'cpq_banner_invalid', { banner: '220 ******************' }],
  ['protocol_error', 'ehlo', 'cpq_starttls_unavailable'],
  ['protocol_error', 'tls', 'cpq_tls_failed'],
  ['ehlo_rejected', 'ehlo', 'cpq_starttls_unavailable'],
  ['starttls_not_offered', 'ehlo', 'cpq_starttls_unavailable', { extensions: ['SIZE 10485760'] }],
  ['starttls_rejected', 'starttls', 'cpq_starttls_unavailable'],
  ['tls_handshake_failed', 'tls', 'cpq_tls_failed'],
  [
    'tls_no_certificate',
    'tls',
    'cpq_tls_anonymous',
    { tls: tls({ cipher: 'ADH-AES256-GCM-SHA384', anonymous: true, certificate: null }) },
  ],
  ['tls_no_encryption', 'tls', 'cpq_tls_no_encryption', { tls: tls({ cipher: 'NULL-SHA256' }) }],
  ['cert_expired', 'tls', 'cpq_cert_expired', { tls: tls({ certificate: certificate(-3) }) }],
  ['cert_not_yet_valid', 'tls', 'cpq_cert_not_yet_valid', { tls: tls({ certificate: certificate(400) }) }],
  ['cert_untrusted', 'tls', 'cpq_cert_mismatch', { tls: tls({ verifyError: 'self signed certificate' }) }],
  ['cert_pin_mismatch', 'tls', 'cpq_cert_mismatch', { tls: tls() }],
];

const PHASE_ORDER: ProbePhase[] = ['dns', 'connect', 'banner', 'ehlo', 'starttls', 'tls', 'quit'];
/** The phase each listener check needs the probe to have reached before it can say anything. */
const NEEDS: Record<string, ProbePhase> = {
  cpq_listener_refused: 'dns',
  cpq_listener_unreachable: 'dns',
  cpq_banner_invalid: 'banner',
  cpq_starttls_unavailable: 'ehlo',
  cpq_tls_failed: 'tls',
  cpq_tls_anonymous: 'tls',
  cpq_tls_no_encryption: 'tls',
};

describe('listener rules: every probe failure code', () => {
  // Every row gets its 4th element: Jest treats a test function with more parameters than the row as `done`-style.
  test.each(TABLE.map((r): FullRow => [r[0], r[1], r[2], r[3] ?? {}]))(
    '%s in phase %s raises %s',
    (code, phase, check, over) => {
      // Prepare
      const probe = failProbe(code, phase, over);
      // Act
      const out = run(probe);
      // Assess
      expect(out.findings.map((f) => f.id)).toEqual([`sma1/${check}`]);
      const f = out.findings[0]!;
      expect(f).toMatchObject({ appliance: 'sma1', check, severity: 'critical', runbook: check });
      expect(f.summary).toContain('sma1');
      expect(f.summary.length).toBeLessThan(SUMMARY_MAX + 1);
      expect(f.evidence[0]).toContain(`critical ${code} in phase ${phase}: probe failed: ${code}`);
      expect(f.evidence.some((l) => l.startsWith('timings: ') && l.includes('total 3 ms'))).toBe(true);
      expect(f.evidence).toContain('paths affected: esa1->sma1, esa2->sma1');
      expect(f.remediation.length).toBeGreaterThan(0);
      expect(out.checked).toContain(`sma1/${check}`);
      // Checks of phases the probe never reached are not evaluated (their alerts stay untouched).
      for (const [c, needs] of Object.entries(NEEDS)) {
        const reached = PHASE_ORDER.indexOf(phase) >= PHASE_ORDER.indexOf(needs);
        expect([c, out.checked.includes(`sma1/${c}`)]).toEqual([c, reached || c === check]);
      }
    },
  );

  test('a failure in the quit phase raises nothing: the path worked', () => {
    const out = run(failProbe('protocol_error', 'quit', { tls: tls() }));
    expect(out.findings).toEqual([]);
    expect(out.checked).toContain('sma1/cpq_tls_failed');
  });

  test('refused suggests status and resume; anonymous suggests :-aNULL on the outbound list', () => {
    const refused = run(failProbe('connect_refused', 'connect')).findings[0]!;
    expect(refused.remediation.join('\n')).toMatch(/`status`/);
    expect(refused.remediation.join('\n')).toMatch(/`resume`.*`resumelistener`/);
    const anon = run(
      failProbe('tls_no_certificate', 'tls', {
        tls: tls({ anonymous: true, cipher: 'ADH-AES256-SHA', certificate: null }),
      }),
    ).findings[0]!;
    expect(anon.remediation.join('\n')).toContain(':-aNULL');
    expect(anon.remediation.join('\n')).toContain('`commit`');
    expect(anon.evidence.join('\n')).toContain('ADH-AES256-SHA (anonymous: no certificate)');
  });

  test('unreachable: dns failure names DNS, timeout names the firewall and interfaceconfig', () => {
    const dns = run(failProbe('dns_failed', 'dns')).findings[0]!;
    expect(dns.remediation.join('\n')).toMatch(/DNS/);
    const timeout = run(failProbe('connect_timeout', 'connect')).findings[0]!;
    expect(timeout.remediation.join('\n')).toMatch(/security groups.*firewalls/);
    expect(timeout.remediation.join('\n')).toContain('`interfaceconfig`');
  });

  test('a 554 greeting points at the HAT and RELAYLIST', () => {
    const f = run(failProbe('banner_rejected', 'banner', { banner: '554 Access denied' })).findings[0]!;
    expect(f.summary).toBe('sma1: CPQ listener greeting invalid: 554 Access denied');
    expect(f.evidence).toContain('banner: 554 Access denied');
    expect(f.remediation.join('\n')).toContain('RELAYLIST');
  });
});

describe('listener rules: healthy and warning probes', () => {
  test('a healthy probe raises nothing and evaluates every listener check', () => {
    const out = run(okProbe());
    expect(out.findings).toEqual([]);
    expect(out.checked.filter((id) => id.startsWith('sma1/')).sort()).toEqual(
      LISTENER_CHECKS.map((c) => `sma1/${c}`).sort(),
    );
  });

  test('cert_expiring from the probe warning', () => {
    const out = run(okProbe({ warnings: ['cert_expiring'], tls: tls({ certificate: certificate(12) }) }));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({
      id: 'sma1/cpq_cert_expiring',
      severity: 'warning',
      summary: 'sma1: CPQ certificate expires in 12 days',
      runbook: 'cpq_cert_expiring',
    });
    expect(out.findings[0]!.evidence.join('\n')).toContain('12 days remaining');
  });

  test.each([
    [45, undefined, false],
    [45, 60, true],
    [61, 60, false],
    [0, undefined, true],
    [30, undefined, false],
    [29, undefined, true],
    [60, 60, false],
    [59, 60, true],
  ])('%i days left with expiryWarnDays %s: expiring %s', (days, warnDays, fires) => {
    const inv = inventory(warnDays === undefined ? {} : { tls: { expiryWarnDays: warnDays } });
    const out = run(okProbe({ tls: tls({ certificate: certificate(days) }) }), inv);
    expect(out.findings.map((f) => f.id)).toEqual(fires ? ['sma1/cpq_cert_expiring'] : []);
  });

  test('an expired certificate is expired, not expiring', () => {
    const out = run(failProbe('cert_expired', 'tls', { tls: tls({ certificate: certificate(-1) }) }));
    expect(out.findings.map((f) => f.check)).toEqual(['cpq_cert_expired']);
    expect(out.findings[0]!.summary).toBe('sma1: CPQ certificate expired 1 day ago');
  });

  test.each([['weak_cipher'], ['weak_tls_protocol']] as const)('%s raises cpq_tls_weak (warning)', (w) => {
    const out = run(okProbe({ warnings: [w], tls: tls({ protocol: 'TLSv1', cipher: 'RC4-SHA' }) }));
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ id: 'sma1/cpq_tls_weak', severity: 'warning' });
    expect(out.findings[0]!.summary).toBe('sma1: weak CPQ TLS: TLSv1 RC4-SHA');
  });

  test('an anonymous suite in an otherwise ok result still raises cpq_tls_anonymous', () => {
    const out = run(
      okProbe({ tls: tls({ anonymous: true, cipher: 'AECDH-AES256-SHA', certificate: null }) }),
    );
    expect(out.findings.map((f) => f.id)).toEqual(['sma1/cpq_tls_anonymous']);
    // Without a certificate the certificate checks say nothing.
    expect(out.checked).not.toContain('sma1/cpq_cert_expiring');
  });

  test('a NULL suite is critical cpq_tls_no_encryption even in an ok result; the path is not down', () => {
    const out = run(okProbe({ warnings: ['weak_cipher'], tls: tls({ cipher: 'NULL-SHA256' }) }));
    const f = out.findings.find((x) => x.check === 'cpq_tls_no_encryption');
    expect(f).toMatchObject({ id: 'sma1/cpq_tls_no_encryption', severity: 'critical' });
    expect(f!.summary).toBe(
      'sma1: CPQ TLS negotiated NULL-SHA256: no encryption, mail crosses in clear text',
    );
    expect(f!.remediation.join('\n')).toContain(':-eNULL');
    const paths = Object.fromEntries(out.paths.map((p) => [p.id, p.state]));
    expect(Object.values(paths)).not.toContain('down');
    expect(Object.values(paths)).toContain('degraded');
  });
});

describe('listener rules: one probe per peer', () => {
  const viaEsa = (from: string, probe: ProbeResult) => listenerObs('sma1', probe, { from });

  test('every path failing the same way is one finding on the SMA listing the paths', () => {
    const out = evaluateFindings({
      inventory: inventory(),
      now: NOW,
      listener: [
        viaEsa('esa1', failProbe('connect_refused', 'connect')),
        viaEsa('esa2', failProbe('connect_refused', 'connect')),
      ],
      config: [],
    });
    expect(out.findings.map((f) => f.id)).toEqual(['sma1/cpq_listener_refused']);
    expect(out.findings[0]!.evidence[0]).toBe('fails on every path probed: esa1->sma1, esa2->sma1');
    expect(out.checked).toEqual(
      expect.arrayContaining([
        'sma1/cpq_listener_refused',
        'esa1->sma1/cpq_listener_refused',
        'esa2->sma1/cpq_listener_refused',
      ]),
    );
  });

  test('one path failing is a path finding; the listener itself counts as healthy', () => {
    const anon = tls({ anonymous: true, cipher: 'ADH-AES256-GCM-SHA384', certificate: null });
    const out = evaluateFindings({
      inventory: inventory(),
      now: NOW,
      listener: [
        viaEsa('esa1', okProbe()),
        viaEsa('esa2', failProbe('tls_no_certificate', 'tls', { tls: anon })),
      ],
      config: [],
    });
    expect(out.findings.map((f) => f.id)).toEqual(['esa2->sma1/cpq_tls_anonymous']);
    const f = out.findings[0]!;
    expect(f).toMatchObject({ appliance: 'sma1', path: 'esa2->sma1', severity: 'critical' });
    expect(f.summary).toBe(
      'esa2 -> sma1: CPQ TLS negotiated anonymous ADH-AES256-GCM-SHA384: no certificate',
    );
    expect(f.evidence[0]).toBe('fails on path esa2->sma1 only; passes on esa1->sma1');
    expect(f.remediation.join('\n')).toContain('On esa2 (the connecting side)');
    expect(out.checked).toEqual(
      expect.arrayContaining([
        'sma1/cpq_tls_anonymous',
        'esa1->sma1/cpq_tls_anonymous',
        'esa2->sma1/cpq_tls_anonymous',
      ]),
    );
    const paths = Object.fromEntries(out.paths.map((p) => [p.id, p.state]));
    expect(paths).toMatchObject({ 'esa1->sma1': 'up', 'esa2->sma1': 'down' });
  });

  test('a check some paths never reached is not blamed on the listener', () => {
    const anon = tls({ anonymous: true, cipher: 'ADH-AES256-GCM-SHA384', certificate: null });
    const out = evaluateFindings({
      inventory: inventory(),
      now: NOW,
      listener: [
        viaEsa('esa1', failProbe('connect_timeout', 'connect')),
        viaEsa('esa2', failProbe('tls_no_certificate', 'tls', { tls: anon })),
      ],
      config: [],
    });
    expect(out.findings.map((f) => f.id)).toEqual([
      'esa1->sma1/cpq_listener_unreachable',
      'esa2->sma1/cpq_tls_anonymous',
    ]);
    expect(out.findings[0]!.evidence[0]).toBe('fails on path esa1->sma1 only; passes on esa2->sma1');
    expect(out.findings[1]!.evidence[0]).toBe('fails on path esa2->sma1 only; not reached on esa1->sma1');
    expect(out.memory.listeners.sma1).toEqual({
      at: expect.any(String),
      down: [],
      paths: {
        'esa1->sma1': ['esa1->sma1/cpq_listener_unreachable'],
        'esa2->sma1': ['esa2->sma1/cpq_tls_anonymous'],
      },
    });
  });

  test('the latest probe per peer wins', () => {
    const earlier = { at: new Date(NOW.getTime() - 30_000).toISOString() };
    const out = evaluateFindings({
      inventory: inventory(),
      now: NOW,
      listener: [
        listenerObs('sma1', okProbe()),
        listenerObs('sma1', failProbe('connect_refused', 'connect'), earlier),
      ],
      config: [],
    });
    expect(out.findings).toEqual([]);
  });
});

test('probes of disabled or unknown appliances are ignored', () => {
  const inv = inventory({}, [
    { name: 'sma1', role: 'sma', host: '10.0.0.10', enabled: false },
    { name: 'esa1', role: 'esa', host: '10.0.0.21' },
  ]);
  const out = evaluateFindings({
    inventory: inv,
    now: NOW,
    listener: [
      listenerObs('sma1', failProbe('connect_refused', 'connect')),
      listenerObs('nobody', failProbe('connect_refused', 'connect')),
    ],
    config: [],
  });
  expect(out.findings).toEqual([]);
  expect(out.checked).toEqual([]);
});
