import type { ShowconfigFacts } from '../../../shared/asyncos/types';
import { evaluateFindings } from '../../../shared/findings';
import { relayEntryMatches, relayListAdmits } from '../../../shared/findings/relaylist';
import { cmd, configObs, cpqListener, inventory, NOW, read, showconfig } from './builders';

function reads(byAppliance: Record<string, Partial<ShowconfigFacts>>, raw = '') {
  return Object.entries(byAppliance).map(([name, facts]) =>
    configObs(name, read({ showconfig: cmd(showconfig(facts), raw) })),
  );
}

function run(byAppliance: Record<string, Partial<ShowconfigFacts>>, raw = '') {
  return evaluateFindings({
    inventory: inventory(),
    now: NOW,
    listener: [],
    config: reads(byAppliance, raw),
  });
}

const ALL_RELAYED = { hosts: [], networks: ['10.0.0.0/24'] };

describe('cpq_port_mismatch', () => {
  test('an ESA sending to a port the SMA listener does not use', () => {
    const out = run({
      esa1: { cpq: { enabled: true, host: 'sma1.example.com', port: 7026, interface: 'Management' } },
      sma1: { listeners: [cpqListener(7025, ALL_RELAYED)] },
    });
    const f = out.findings.find((x) => x.check === 'cpq_port_mismatch')!;
    expect(f).toMatchObject({
      id: 'esa1->sma1/cpq_port_mismatch',
      appliance: 'sma1',
      path: 'esa1->sma1',
      severity: 'critical',
      summary: 'esa1 -> sma1: ESA sends to port 7026, cpq_listener is on 7025',
      runbook: 'cpq_port_mismatch',
    });
    expect(f.evidence).toEqual([
      'esa1 sends quarantined mail to port 7026 (`showconfig`)',
      "sma1's cpq_listener uses port 7025 (`showconfig`, interface Management)",
      "esa1's quarantine host: sma1.example.com",
    ]);
    expect(f.remediation).toEqual([
      'On sma1: Management Appliance → Centralized Services → Policy, Virus and Outbreak Quarantines shows the CPQ port its cpq_listener uses',
      'On esa1: Security Services → Policy, Virus and Outbreak Quarantines must send to that port; change one side, `commit`',
      "Confirm from esa1's CLI: `telnet sma1 7025` prints a 220 banner",
    ]);
    // esa2 was not read: compared with the inventory's port (7025), it matches.
    expect(out.checked).toEqual(
      expect.arrayContaining(['esa1->sma1/cpq_port_mismatch', 'esa2->sma1/cpq_port_mismatch']),
    );
    expect(out.findings.filter((x) => x.check === 'cpq_port_mismatch')).toHaveLength(1);
  });

  test('the SMA listener moved away from the inventory port: every ESA mismatches', () => {
    const out = run({ sma1: { listeners: [cpqListener(8025, ALL_RELAYED)] } });
    expect(out.findings.filter((x) => x.check === 'cpq_port_mismatch').map((x) => x.id)).toEqual([
      'esa1->sma1/cpq_port_mismatch',
      'esa2->sma1/cpq_port_mismatch',
    ]);
  });

  test('nothing read: not evaluated (the inventory alone never fires it)', () => {
    const out = run({ esa1: {} });
    expect(out.checked.some((id) => id.endsWith('/cpq_port_mismatch'))).toBe(false);
  });
});

describe('cpq_relay_denied', () => {
  test('the SMA RELAYLIST lists esa1 only: esa2 is denied', () => {
    const raw = [
      '<listener>',
      '  <listener_name>OutgoingMail</listener_name>',
      '  <hat>',
      'RELAYLIST:',
      '    10.0.0.0/8',
      '    $RELAYED',
      '  </hat>',
      '</listener>',
      '<listener>',
      '  <listener_name>cpq_listener</listener_name>',
      '  <hat>',
      'RELAYLIST:',
      '    10.0.0.21',
      '    $RELAYED',
      '',
      'ALL:',
      '    $BLOCKED',
      '  </hat>',
      '</listener>',
    ].join('\r\n');
    const out = run(
      { sma1: { listeners: [cpqListener(7025, { hosts: ['10.0.0.21'], networks: [] })] } },
      raw,
    );
    const denied = out.findings.filter((x) => x.check === 'cpq_relay_denied');
    expect(denied.map((x) => x.id)).toEqual(['esa2->sma1/cpq_relay_denied']);
    expect(denied[0]).toMatchObject({ appliance: 'sma1', path: 'esa2->sma1', severity: 'critical' });
    expect(denied[0]!.summary).toBe('sma1: cpq_listener RELAYLIST lacks esa2; HAT rejects it');
    expect(denied[0]!.evidence.filter((l) => l.startsWith('raw: '))).toEqual([
      'raw: RELAYLIST:',
      'raw: 10.0.0.21',
      'raw: $RELAYED',
    ]);
    expect(denied[0]!.evidence.join('\n')).toContain('esa2 connects from one of: 10.0.0.22');
    expect(out.checked).toEqual(
      expect.arrayContaining(['esa1->sma1/cpq_relay_denied', 'esa2->sma1/cpq_relay_denied']),
    );
  });

  test("an interface address read from the ESA counts as the ESA's", () => {
    const out = run({
      sma1: { listeners: [cpqListener(7025, { hosts: ['192.168.7.5'], networks: ['10.0.0.21/32'] })] },
      esa2: { interfaces: [{ name: 'Data 1', ip: '192.168.7.5', netmask: null, hostname: null }] },
    });
    expect(out.findings.filter((x) => x.check === 'cpq_relay_denied')).toEqual([]);
  });

  test('the ESA listener must relay its SMA (released mail)', () => {
    const out = run({ esa1: { listeners: [cpqListener(7025, { hosts: ['10.9.9.9'], networks: [] })] } });
    expect(
      out.findings.filter((x) => x.check === 'cpq_relay_denied').map((x) => [x.id, x.appliance]),
    ).toEqual([['sma1->esa1/cpq_relay_denied', 'esa1']]);
  });

  test('a listener without a RELAYLIST read: not evaluated', () => {
    const out = run({ sma1: { listeners: [cpqListener(7025, null)] } });
    expect(out.checked.some((id) => id.endsWith('/cpq_relay_denied'))).toBe(false);
  });
});

describe('RELAYLIST entries', () => {
  test.each([
    ['10.0.0.21', '10.0.0.21', true],
    ['10.0.0.21', '10.0.0.22', false],
    ['10.0.0.0/24', '10.0.0.200', true],
    ['10.0.0.0/24', '10.0.1.1', false],
    ['10.0.0.20-25', '10.0.0.22', true],
    ['10.0.0.20-25', '10.0.0.26', false],
    ['10.0.0.', '10.0.0.9', true],
    ['10.0', '10.1.0.9', false],
    ['2001:db8::/32', '2001:db8::5', true],
    ['2001:db8::5', '2001:0db8:0:0::5', true],
    ['10.0.0.0/24', '2001:db8::5', false],
    ['esa1.example.com', 'ESA1.example.com.', true],
    ['.example.com', 'esa1.example.com', true],
    ['.example.com', 'esa1.example.org', false],
    ['ALL', '203.0.113.1', true],
    ['10.0.0.0/99', '10.0.0.1', false],
  ])('%s admits %s: %s', (entry, peer, expected) => {
    expect(relayEntryMatches(entry, peer)).toBe(expected);
  });

  test('relayListAdmits names the entry that matched', () => {
    expect(relayListAdmits({ hosts: ['a.example.com'], networks: ['10.0.0.0/8'] }, ['x', '10.1.2.3'])).toBe(
      '10.0.0.0/8',
    );
    expect(relayListAdmits({ hosts: [], networks: [] }, ['10.1.2.3'])).toBeNull();
  });
});

describe('cluster_interface_missing', () => {
  const iface = (name: string, ip: string) => ({ name, ip, netmask: null, hostname: null });

  test('a machine of the cluster without the PVO interface', () => {
    const out = run({
      esa1: {
        cpq: { enabled: true, host: 'sma1', port: 7025, interface: 'Data 1' },
        interfaces: [iface('Management', '10.0.0.21'), iface('Data 1', '10.1.0.21')],
      },
      esa2: { interfaces: [iface('Management', '10.0.0.22')] },
    });
    const f = out.findings.filter((x) => x.check === 'cluster_interface_missing');
    expect(f.map((x) => [x.id, x.severity, x.summary])).toEqual([
      ['esa2/cluster_interface_missing', 'critical', 'esa2: PVO interface "Data 1" of cluster c1 missing'],
    ]);
    expect(f[0]!.evidence).toEqual([
      'cluster c1: quarantine interface "Data 1" (configured as read on esa1)',
      'esa2 has: Management (10.0.0.22)',
    ]);
    expect(f[0]!.remediation.join('\n')).toContain('Network → IP Interfaces');
    expect(out.checked).toEqual(
      expect.arrayContaining(['esa1/cluster_interface_missing', 'esa2/cluster_interface_missing']),
    );
  });

  test('interfaces read from interfaceconfig count too; names compare case-insensitively', () => {
    const out = evaluateFindings({
      inventory: inventory(),
      now: NOW,
      listener: [],
      config: [
        configObs(
          'esa1',
          read({
            showconfig: cmd(
              showconfig({ cpq: { enabled: true, host: null, port: null, interface: 'Data 1' } }),
            ),
          }),
        ),
        configObs(
          'esa2',
          read({ interfaceconfig: cmd({ interfaces: [iface('DATA 1', '10.1.0.22')], machine: 'esa2' }) }),
        ),
      ],
    });
    expect(out.findings).toEqual([]);
    // esa1's interfaces were not read: it is not evaluated.
    expect(out.checked).toContain('esa2/cluster_interface_missing');
    expect(out.checked).not.toContain('esa1/cluster_interface_missing');
  });

  test('no interface named by any member: not evaluated', () => {
    const out = run({ esa2: { interfaces: [iface('Management', '10.0.0.22')] } });
    expect(out.checked.some((id) => id.endsWith('/cluster_interface_missing'))).toBe(false);
  });
});
