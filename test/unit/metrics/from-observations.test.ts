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

function f(id: string, severity: Finding['severity']): Finding {
  const [appliance, check] = id.split('/') as [string, string];
  return { id, appliance, check, severity, summary: '', evidence: [], remediation: [], runbook: check };
}

describe('metricsForCycle: probe cycle', () => {
  it('emits listener, latency and certificate metrics per appliance plus the fleet metrics', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [listener('sma1', probeOk({}, 200)), listener('esa1', probeFail('connect_refused'))],
      config: [],
      findings: [f('esa1/cpq_listener_refused', 'critical')],
      now: NOW,
      detail: 'standard',
    });
    expect(lines(data)).toEqual([
      'CertificateDaysRemaining{Appliance=sma1}=200 None',
      'FindingsOpen{Severity=critical}=1 Count',
      'FindingsOpen{Severity=info}=0 Count',
      'FindingsOpen{Severity=warning}=0 Count',
      'HandshakeLatency{Appliance=sma1}=22 Milliseconds',
      'ListenerUp{Appliance=esa1}=0 None',
      'ListenerUp{Appliance=sma1}=1 None',
      'MonitorHeartbeat{Cycle=probe}=1 Count',
      'TlsCertificatePresent{Appliance=sma1}=1 None',
    ]);
    expect(data.every((d) => d.timestamp === TS)).toBe(true);
  });

  it('adds per-phase latency only at detailed', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [listener('sma1', probeOk())],
      config: [],
      findings: [],
      now: NOW,
      detail: 'detailed',
    });
    expect(lines(data).filter((l) => l.startsWith('HandshakeLatency'))).toEqual([
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
      inventory: inventory(),
      listener: [listener('esa1', anon), listener('esa2', expiring)],
      config: [],
      findings: [],
      now: NOW,
      detail: 'standard',
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
      inventory: inventory(),
      listener: [listener('sma1', probeFail('connect_timeout'))],
      config: [],
      findings: [],
      now: NOW,
      detail: 'detailed',
    });
    expect(lines(data).filter((l) => l.includes('Appliance=sma1'))).toEqual([
      'ListenerUp{Appliance=sma1}=0 None',
    ]);
  });

  it('emits one datum per peer probe of the same listener (sinks merge them into Values/Counts)', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [
        listener('sma1', probeOk(), 'esa1'),
        listener('sma1', probeFail('tls_handshake_failed'), 'esa2'),
      ],
      config: [],
      findings: [],
      now: NOW,
      detail: 'standard',
    });
    expect(lines(data).filter((l) => l.startsWith('ListenerUp'))).toEqual([
      'ListenerUp{Appliance=sma1}=0 None',
      'ListenerUp{Appliance=sma1}=1 None',
    ]);
  });

  it('counts each finding id once, at its worst severity', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [],
      config: [],
      findings: [
        f('esa1/cpq_tls_weak', 'info'),
        f('esa1/cpq_tls_weak', 'warning'),
        f('esa2/cpq_cert_expiring', 'warning'),
        f('sma1/x', 'info'),
      ],
      now: NOW,
      detail: 'standard',
      cycle: 'probe',
    });
    expect(lines(data).filter((l) => l.startsWith('FindingsOpen'))).toEqual([
      'FindingsOpen{Severity=critical}=0 Count',
      'FindingsOpen{Severity=info}=1 Count',
      'FindingsOpen{Severity=warning}=2 Count',
    ]);
  });
});

describe('metricsForCycle: SSH cycle', () => {
  it('emits SSH success, system online and the queue of each role', () => {
    const data = metricsForCycle({
      inventory: inventory(),
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
      detail: 'standard',
    });
    expect(lines(data)).toEqual([
      'CpqQueueActiveRecipients{Appliance=esa1}=1250 Count',
      'FindingsOpen{Severity=critical}=0 Count',
      'FindingsOpen{Severity=info}=0 Count',
      'FindingsOpen{Severity=warning}=0 Count',
      'MonitorHeartbeat{Cycle=ssh}=1 Count',
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
      inventory: inventory(),
      listener: [],
      config: [
        config('esa2', { tophosts: tophosts([row('PVO.Quarantine.Host', 42)]) }),
        config('esa1', { tophosts: tophosts([row('example.com', 9)]) }),
      ],
      findings: [],
      now: NOW,
      detail: 'standard',
    });
    const l = lines(data);
    expect(l).toContain('CpqQueueActiveRecipients{Appliance=esa2}=42 Count');
    expect(l).toContain('CpqQueueActiveRecipients{Appliance=esa1}=0 Count');
  });

  it('a full (CLI) cycle beats both heartbeats', () => {
    const data = metricsForCycle({
      inventory: inventory(),
      listener: [listener('sma1', probeOk())],
      config: [config('sma1', {})],
      findings: [],
      now: NOW,
      detail: 'standard',
    });
    expect(lines(data).filter((l) => l.startsWith('MonitorHeartbeat'))).toEqual([
      'MonitorHeartbeat{Cycle=probe}=1 Count',
      'MonitorHeartbeat{Cycle=ssh}=1 Count',
    ]);
    expect(lines(data).filter((l) => l.startsWith('FindingsOpen'))).toHaveLength(3);
  });
});
