import type { Finding } from '../../../shared/findings/types';
import type { MetricDatum } from '../../../shared/metrics/datum';
import { metricsForCycle } from '../../../shared/metrics/from-observations';
import { config, inventory, listener, NOW, probeFail, probeOk, row, statusFacts, tophosts } from './fixtures';

const TS = NOW.toISOString();

/** `name{dims}=value` lines, sorted: easy to read in a failure. */
function lines(data: MetricDatum[]): string[] {
  return data
    .map((d) => {
      const dims = Object.entries(d.dimensions)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return `${d.name}{${dims}}=${d.value} ${d.unit}`;
    })
    .sort();
}

/** Only the per-appliance lines. */
function perAppliance(data: MetricDatum[]): string[] {
  return lines(data).filter((l) => l.includes('Appliance='));
}

function f(id: string, severity: Finding['severity']): Finding {
  const [appliance, check] = id.split('/') as [string, string];
  return { id, appliance, check, severity, summary: '', evidence: [], remediation: [], runbook: check };
}

const ON = inventory({ monitor: { applianceMetrics: true } });

describe('metricsForCycle: fleet metrics (the default)', () => {
  it('a probe cycle writes the fixed fleet set per role and nothing per appliance', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [
        listener('sma1', probeOk({}, 200)),
        listener('esa1', probeFail('connect_refused')),
        listener('esa2', probeOk({ status: 'warning', warnings: ['cert_expiring'] }, -3)),
      ],
      config: [],
      findings: [f('esa1/cpq_listener_refused', 'critical'), f('esa2/cpq_cert_expired', 'critical')],
      now: NOW,
      cycle: 'probe',
    });
    expect(lines(data)).toEqual([
      'CertificateDaysRemainingMin{Role=esa}=-3 None',
      'CertificateDaysRemainingMin{Role=sma}=200 None',
      'CertificatesExpiring{Role=esa}=1 Count',
      'CertificatesExpiring{Role=sma}=0 Count',
      'FindingsOpen{Cycle=probe,Severity=critical}=2 Count',
      'FindingsOpen{Cycle=probe,Severity=info}=0 Count',
      'FindingsOpen{Cycle=probe,Severity=warning}=0 Count',
      'HandshakeLatency{Role=esa}=22 Milliseconds',
      'HandshakeLatency{Role=sma}=22 Milliseconds',
      'ListenersAnonymousTls{Role=esa}=0 Count',
      'ListenersAnonymousTls{Role=sma}=0 Count',
      'ListenersDown{Role=esa}=1 Count',
      'ListenersDown{Role=sma}=0 Count',
      'MonitorHeartbeat{Cycle=probe}=1 Count',
      'PathsDown{Cycle=probe}=0 Count',
    ]);
    expect(data.every((d) => d.timestamp === TS)).toBe(true);
    expect(data.some((d) => 'Appliance' in d.dimensions)).toBe(false);
  });

  it('writes the same number of metrics for 3 appliances and for 3,000', () => {
    const names = (n: number) => {
      const obs = Array.from({ length: n }, (_, i) =>
        listener(i % 10 === 0 ? `sma${i}` : `esa${i}`, probeOk()),
      );
      const data = metricsForCycle({
        inventory: inventory(),
        listener: obs,
        config: [],
        findings: [],
        now: NOW,
      });
      return new Set(data.map((d) => `${d.name}${JSON.stringify(d.dimensions)}`));
    };
    expect(names(3000)).toEqual(names(30));
  });

  it('counts an appliance once whatever the number of peers that probed it, and anonymous TLS', () => {
    const anon = probeFail('tls_no_certificate', {
      phase: 'tls',
      tls: {
        protocol: 'TLSv1.2',
        cipher: 'ADH-AES256-GCM-SHA384',
        anonymous: true,
        certificate: null,
        verified: false,
        verifyError: 'no certificate',
      },
    });
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [
        listener('sma1', anon, 'esa1'),
        listener('sma1', anon, 'esa2'),
        listener('sma1', probeOk(), 'x'),
      ],
      config: [],
      findings: [],
      now: NOW,
    });
    const l = lines(data);
    expect(l).toContain('ListenersDown{Role=sma}=1 Count');
    expect(l).toContain('ListenersAnonymousTls{Role=sma}=1 Count');
    expect(l.filter((x) => x.startsWith('HandshakeLatency'))).toEqual([
      'HandshakeLatency{Role=sma}=22 Milliseconds',
    ]);
  });

  it('an SSH cycle writes read failures, systems not online, backlogs and the largest queue per role', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [],
      config: [
        config('esa1', { status: statusFacts(true), tophosts: tophosts([row('the.cpq.host', 1250)]) }),
        config('esa2', {}, 'auth_failed'),
        config('sma1', { status: statusFacts(false), tophosts: tophosts([row('the.cpq.release.host', 7)]) }),
      ],
      findings: [f('esa2/ssh_auth_failed', 'critical'), f('esa1/cpq_queue_backlog', 'critical')],
      now: NOW,
      cycle: 'ssh',
    });
    expect(lines(data)).toEqual([
      'FindingsOpen{Cycle=ssh,Severity=critical}=2 Count',
      'FindingsOpen{Cycle=ssh,Severity=info}=0 Count',
      'FindingsOpen{Cycle=ssh,Severity=warning}=0 Count',
      'MonitorHeartbeat{Cycle=ssh}=1 Count',
      'PathsDown{Cycle=ssh}=0 Count',
      'QueueActiveRecipientsMax{Role=esa}=1250 Count',
      'QueueActiveRecipientsMax{Role=sma}=7 Count',
      'QueueBacklogs{Role=esa}=1 Count',
      'QueueBacklogs{Role=sma}=0 Count',
      'SshReadFailures{Role=esa}=1 Count',
      'SshReadFailures{Role=sma}=0 Count',
      'SystemsNotOnline{Role=esa}=0 Count',
      'SystemsNotOnline{Role=sma}=1 Count',
    ]);
  });

  it('counts a path down only in the shard that owns its receiving end', () => {
    const path = (from: string, to: string, state: 'up' | 'down') => ({
      id: `${from}->${to}`,
      from,
      to,
      direction: 'esa_to_sma' as const,
      state,
      findings: [],
      reason: '',
    });
    const paths = [path('esa1', 'sma1', 'down'), path('sma1', 'esa1', 'down'), path('esa2', 'sma1', 'up')];
    const down = (owned: string[]) =>
      metricsForCycle({
        inventory: inventory(),
        listener: [],
        config: [],
        findings: [],
        paths,
        owned,
        now: NOW,
        cycle: 'probe',
      })
        .filter((d) => d.name === 'PathsDown')
        .map((d) => d.value);
    expect(down(['sma1'])).toEqual([1]);
    expect(down(['esa1', 'esa2'])).toEqual([1]);
    expect(down(['esa2'])).toEqual([0]);
  });

  it('in a full (CLI) cycle, splits findings by the cycle that raises their check, so totals never double', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [listener('sma1', probeOk())],
      config: [config('sma1', {})],
      findings: [f('sma1/cpq_listener_refused', 'critical'), f('sma1/system_not_online', 'critical')],
      now: NOW,
    });
    expect(lines(data).filter((l) => l.startsWith('FindingsOpen') && l.includes('critical'))).toEqual([
      'FindingsOpen{Cycle=probe,Severity=critical}=1 Count',
      'FindingsOpen{Cycle=ssh,Severity=critical}=1 Count',
    ]);
    expect(lines(data).filter((l) => l.startsWith('MonitorHeartbeat'))).toEqual([
      'MonitorHeartbeat{Cycle=probe}=1 Count',
      'MonitorHeartbeat{Cycle=ssh}=1 Count',
    ]);
  });
});

describe('metricsForCycle: per-appliance metrics (opt-in)', () => {
  it('are written for an appliance that opts in, and for no other', () => {
    const inv = inventory();
    const optIn = {
      ...inv,
      appliances: inv.appliances.map((a) => (a.name === 'esa1' ? { ...a, applianceMetrics: true } : a)),
    };
    const data = metricsForCycle({
      inventory: optIn,
      listener: [listener('esa1', probeOk()), listener('esa2', probeOk())],
      config: [],
      findings: [],
      now: NOW,
    });
    const perAppliance = data.filter((d) => 'Appliance' in d.dimensions).map((d) => d.dimensions.Appliance);
    expect(new Set(perAppliance)).toEqual(new Set(['esa1']));
  });

  it('an appliance can opt out of the fleet-wide switch', () => {
    const inv = inventory({ monitor: { applianceMetrics: true } });
    const optOut = {
      ...inv,
      appliances: inv.appliances.map((a) => (a.name === 'esa2' ? { ...a, applianceMetrics: false } : a)),
    };
    const data = metricsForCycle({
      inventory: optOut,
      listener: [listener('esa1', probeOk()), listener('esa2', probeOk()), listener('sma1', probeOk())],
      config: [],
      findings: [],
      now: NOW,
    });
    const perAppliance = new Set(
      data.filter((d) => 'Appliance' in d.dimensions).map((d) => d.dimensions.Appliance),
    );
    expect(perAppliance).toEqual(new Set(['esa1', 'sma1']));
  });
});

describe('metricsForCycle: probe cycle, per appliance', () => {
  it('emits listener, latency and certificate metrics per appliance', () => {
    const data = metricsForCycle({
      inventory: ON,
      listener: [listener('sma1', probeOk({}, 200)), listener('esa1', probeFail('connect_refused'))],
      config: [],
      findings: [f('esa1/cpq_listener_refused', 'critical')],
      now: NOW,
    });
    expect(perAppliance(data)).toEqual([
      'CertificateDaysRemaining{Appliance=sma1}=200 None',
      'HandshakeLatency{Appliance=sma1}=22 Milliseconds',
      'ListenerUp{Appliance=esa1}=0 None',
      'ListenerUp{Appliance=sma1}=1 None',
      'TlsCertificatePresent{Appliance=sma1}=1 None',
    ]);
    expect(data.every((d) => d.timestamp === TS)).toBe(true);
  });

  it('adds per-phase latency only at detailed', () => {
    const data = metricsForCycle({
      inventory: inventory({ monitor: { applianceMetrics: true, metricsDetail: 'detailed' } }),
      listener: [listener('sma1', probeOk())],
      config: [],
      findings: [],
      now: NOW,
    });
    expect(perAppliance(data).filter((l) => l.startsWith('HandshakeLatency'))).toEqual([
      'HandshakeLatency{Appliance=sma1,Phase=banner}=5 Milliseconds',
      'HandshakeLatency{Appliance=sma1,Phase=connect}=2 Milliseconds',
      'HandshakeLatency{Appliance=sma1,Phase=ehlo}=1 Milliseconds',
      'HandshakeLatency{Appliance=sma1,Phase=starttls}=1 Milliseconds',
      'HandshakeLatency{Appliance=sma1,Phase=tls}=12 Milliseconds',
      'HandshakeLatency{Appliance=sma1}=22 Milliseconds',
    ]);
  });

  it('reports an anonymous TLS session as no certificate, and a warning probe as up', () => {
    const anon = probeFail('tls_no_certificate', {
      phase: 'tls',
      tls: {
        protocol: 'TLSv1.2',
        cipher: 'ADH-AES256-GCM-SHA384',
        anonymous: true,
        certificate: null,
        verified: false,
        verifyError: 'no certificate',
      },
    });
    const expiring = probeOk({ status: 'warning', warnings: ['cert_expiring'] }, 9);
    const data = metricsForCycle({
      inventory: ON,
      listener: [listener('esa1', anon), listener('esa2', expiring)],
      config: [],
      findings: [],
      now: NOW,
    });
    const l = lines(data);
    expect(l).toContain('TlsCertificatePresent{Appliance=esa1}=0 None');
    expect(l).toContain('ListenerUp{Appliance=esa1}=0 None');
    expect(l.filter((x) => x.includes('Appliance=esa1'))).toHaveLength(2);
    expect(l).toContain('ListenerUp{Appliance=esa2}=1 None');
    expect(l).toContain('CertificateDaysRemaining{Appliance=esa2}=9 None');
  });

  it('gives no certificate metric when the probe never reached TLS', () => {
    const data = metricsForCycle({
      inventory: ON,
      listener: [listener('sma1', probeFail('connect_timeout'))],
      config: [],
      findings: [],
      now: NOW,
    });
    expect(lines(data).filter((l) => l.includes('Appliance=sma1'))).toEqual([
      'ListenerUp{Appliance=sma1}=0 None',
    ]);
  });

  it('emits one datum per peer probe of the same listener (sinks merge them into Values/Counts)', () => {
    const data = metricsForCycle({
      inventory: ON,
      listener: [
        listener('sma1', probeOk(), 'esa1'),
        listener('sma1', probeFail('tls_handshake_failed'), 'esa2'),
      ],
      config: [],
      findings: [],
      now: NOW,
    });
    expect(lines(data).filter((l) => l.startsWith('ListenerUp'))).toEqual([
      'ListenerUp{Appliance=sma1}=0 None',
      'ListenerUp{Appliance=sma1}=1 None',
    ]);
  });

  it('counts each finding id once, at its worst severity', () => {
    const data = metricsForCycle({
      inventory: ON,
      listener: [],
      config: [],
      findings: [
        f('esa1/cpq_tls_weak', 'info'),
        f('esa1/cpq_tls_weak', 'warning'),
        f('esa2/cpq_cert_expiring', 'warning'),
        f('sma1/x', 'info'),
      ],
      now: NOW,
      cycle: 'probe',
    });
    expect(lines(data).filter((l) => l.startsWith('FindingsOpen'))).toEqual([
      'FindingsOpen{Cycle=probe,Severity=critical}=0 Count',
      'FindingsOpen{Cycle=probe,Severity=info}=1 Count',
      'FindingsOpen{Cycle=probe,Severity=warning}=2 Count',
    ]);
  });
});

describe('metricsForCycle: SSH cycle, per appliance', () => {
  it('emits SSH success, system online and the queue of each role', () => {
    const data = metricsForCycle({
      inventory: ON,
      listener: [],
      config: [
        config('esa1', {
          'status detail': statusFacts(true),
          'tophosts 1': tophosts([row('example.com', 3), row('the.cpq.host', 1250)]),
        }),
        config('sma1', { status: statusFacts(false), tophosts: tophosts([row('the.cpq.release.host', 7)]) }),
        config('esa2', {}, 'auth_failed'),
      ],
      findings: [],
      now: NOW,
    });
    expect(perAppliance(data)).toEqual([
      'CpqQueueActiveRecipients{Appliance=esa1}=1250 Count',
      'ReleaseQueueActiveRecipients{Appliance=sma1}=7 Count',
      'SshReadSuccess{Appliance=esa1}=1 None',
      'SshReadSuccess{Appliance=esa2}=0 None',
      'SshReadSuccess{Appliance=sma1}=1 None',
      'SystemOnline{Appliance=esa1}=1 None',
      'SystemOnline{Appliance=sma1}=0 None',
    ]);
  });

  it('finds the queue by the configured name, and counts an unlisted queue as empty', () => {
    const data = metricsForCycle({
      inventory: ON,
      listener: [],
      config: [
        config('esa2', { tophosts: tophosts([row('PVO.Quarantine.Host', 42)]) }),
        config('esa1', { tophosts: tophosts([row('example.com', 9)]) }),
      ],
      findings: [],
      now: NOW,
    });
    const l = lines(data);
    expect(l).toContain('CpqQueueActiveRecipients{Appliance=esa2}=42 Count');
    expect(l).toContain('CpqQueueActiveRecipients{Appliance=esa1}=0 Count');
  });
});
