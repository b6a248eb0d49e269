import { parseShowconfig, relayListFrom } from '../../../../shared/asyncos/parsers/showconfig';
import { fixture } from '../fixture';

describe('parseShowconfig', () => {
  it('reads the cpq_listener, its RELAYLIST, interfaces, TLS, PVO target and cluster from wrapped CRLF XML', () => {
    const out = parseShowconfig(fixture('showconfig-esa-cluster.txt'));
    if (!out.ok) throw new Error(out.reason);
    const f = out.facts;
    expect(f.hostname).toBe('esa1.example.com');
    expect(f.cluster).toBe('EmailCluster');
    expect(f.listeners).toEqual([
      {
        name: 'cpq_listener',
        protocol: 'CPQ',
        interface: 'Incoming Mail',
        port: 7025,
        listenQueueSize: 50,
        type: 'private',
        relayList: { hosts: ['10.1.2.3', 'sma2.example.com'], networks: ['10.20.30.0/24'] },
        rat: [{ address: 'ALL', access: 'ACCEPT' }],
      },
    ]);
    expect(f.interfaces.map((i) => [i.name, i.ip, i.netmask])).toEqual([
      ['Management', '10.10.10.1', '255.255.255.0'],
      ['Incoming Mail', '192.0.2.10', '255.255.255.0'],
    ]);
    expect(f.tls.outbound.ciphers).toMatch(/:ADH-AES256-SHA$/);
    expect(f.tls.inbound.methods).toBe('tlsv1/tlsv1.2');
    expect(f.cpq).toEqual({ enabled: true, host: 'sma1.example.com', port: 7026, interface: 'Management' });
  });

  it('refuses truncated XML and output without XML', () => {
    const cut = parseShowconfig(fixture('showconfig-truncated.txt'));
    expect(cut).toEqual({ ok: false, reason: expect.stringMatching(/truncated/) });
    const none = parseShowconfig(fixture('status-unknown-command.txt'));
    expect(none.ok).toBe(false);
  });

  it('reads a RELAYLIST written on one line and reports none when absent', () => {
    expect(relayListFrom('RELAYLIST: 10.1.2.3, 10.2.0.0/16 $RELAYED\nALL:\n    $BLOCKED')).toEqual({
      hosts: ['10.1.2.3'],
      networks: ['10.2.0.0/16'],
    });
    expect(relayListFrom('ALL:\n    $ACCEPTED')).toBeNull();
  });
});
