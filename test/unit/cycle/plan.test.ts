/** The cycle's plan as data: probes per listener (and per peer), SSH commands, context appliances. */
import { commandLine } from '../../../shared/asyncos/allowlist';
import { contextAppliances, planProbes } from '../../../shared/cycle/plan';
import { mailLogPattern, planCommands } from '../../../shared/cycle/read-plan';
import { peersOf } from '../../../shared/inventory/topology';
import { applianceOf, HOST_KEY, inventoryOf, smallFleet, sshWith } from './fixtures';

const SAFE = 'HIGH:MEDIUM:-SSLv2:-aNULL';
const ANON = 'aNULL:HIGH:MEDIUM:-SSLv2';
const noCa = () => undefined;

describe('peersOf', () => {
  it('gives an SMA its enabled ESAs and an ESA its SMA', () => {
    const inv = inventoryOf([
      { name: 'sma1', role: 'sma', host: '10.0.0.10' },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' } },
      { name: 'esa2', role: 'esa', host: '10.0.0.22', quarantine: { sma: 'sma1' }, enabled: false },
      { name: 'esa3', role: 'esa', host: '10.0.0.23' },
    ]);
    expect(peersOf(inv, applianceOf(inv, 'sma1')).map((a) => a.name)).toEqual(['esa1']);
    expect(peersOf(inv, applianceOf(inv, 'esa1')).map((a) => a.name)).toEqual(['sma1']);
    expect(peersOf(inv, applianceOf(inv, 'esa3'))).toEqual([]);
  });
});

describe('planProbes', () => {
  it('uses an inline CA (caPem, what deploy ships) without reading any file', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const inv = smallFleet({ tls: { caPem: pem } });
    const plan = planProbes(inv, inv.appliances, {
      outboundCiphers: {},
      ca: () => {
        throw new Error('no file may be read');
      },
      timeoutMs: 1000,
    });
    expect(plan.every((p) => p.options.ca === pem)).toBe(true);
  });

  it("offers each peer's learned TLS versions: an ESA that offers TLS 1.2 only is probed at 1.2 even if the inventory allows 1.3", () => {
    const inv = smallFleet({ tls: { maxVersion: 'TLSv1.3' } });
    const plan = planProbes(
      inv,
      inv.appliances.filter((a) => a.name === 'sma1'),
      {
        outboundCiphers: { esa1: 'aNULL:HIGH', esa2: 'aNULL:HIGH' },
        outboundVersions: {
          esa1: { minVersion: 'TLSv1', maxVersion: 'TLSv1.2' },
          esa2: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
        },
        ca: () => undefined,
        timeoutMs: 1000,
      },
    );
    // Same lists, different versions: still one probe per peer, each with its own offer.
    expect(plan.map((p) => [p.from, p.options.minVersion, p.options.maxVersion])).toEqual([
      ['esa1', 'TLSv1', 'TLSv1.2'],
      ['esa2', 'TLSv1.2', 'TLSv1.3'],
    ]);
  });

  it('probes each listener once when nothing is known of the peers, with the fleet settings', () => {
    const inv = smallFleet({
      monitor: { ehloName: 'monitor.example' },
      tls: { ciphers: SAFE, caFile: 'ca.pem', pins: ['ab'.repeat(32)], minVersion: 'TLSv1.2' },
    });
    const asked: string[] = [];
    const plan = planProbes(inv, inv.appliances, {
      outboundCiphers: {},
      ca: (f) => {
        asked.push(f);
        return `PEM of ${f}`;
      },
      timeoutMs: 4321,
    });
    expect(plan.map((p) => [p.appliance.name, p.from])).toEqual([
      ['sma1', undefined],
      ['esa1', undefined],
      ['esa2', undefined],
    ]);
    expect(plan[0]!.options).toEqual({
      host: '10.0.0.10',
      port: 7025,
      timeoutMs: 4321,
      expiryWarnDays: 30,
      pins: ['ab'.repeat(32)],
      ca: 'PEM of ca.pem',
      minVersion: 'TLSv1.2',
      ehloName: 'monitor.example',
      ciphers: SAFE,
    });
    expect(asked).toEqual(['ca.pem', 'ca.pem', 'ca.pem']);
  });

  it('offers the peers’ outbound list, once, when every peer uses the same one', () => {
    const inv = smallFleet();
    const plan = planProbes(inv, [applianceOf(inv, 'sma1')], {
      outboundCiphers: { esa1: SAFE, esa2: SAFE, sma1: ANON },
      ca: noCa,
      timeoutMs: 1000,
    });
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ appliance: { name: 'sma1' }, options: { ciphers: SAFE } });
    expect(plan[0]!.from).toBeUndefined();
  });

  it('probes once per peer, each with its own list, when the peers’ lists differ', () => {
    const inv = smallFleet();
    const plan = planProbes(inv, [applianceOf(inv, 'sma1')], {
      outboundCiphers: { esa1: ANON, esa2: SAFE },
      ca: noCa,
      timeoutMs: 1000,
    });
    expect(plan.map((p) => [p.appliance.name, p.from, p.options.ciphers])).toEqual([
      ['sma1', 'esa1', ANON],
      ['sma1', 'esa2', SAFE],
    ]);
    // Everything but the offer is the listener's own.
    expect(plan[0]!.options.port).toBe(plan[1]!.options.port);
    expect(plan[0]!.options.host).toBe('10.0.0.10');
  });

  it('a peer whose list is unknown offers the inventory’s list, or none', () => {
    const withFleetList = smallFleet({ tls: { ciphers: SAFE } });
    expect(
      planProbes(withFleetList, [applianceOf(withFleetList, 'sma1')], {
        outboundCiphers: { esa1: SAFE },
        ca: noCa,
        timeoutMs: 1000,
      }).map((p) => [p.from, p.options.ciphers]),
    ).toEqual([[undefined, SAFE]]);

    const bare = smallFleet();
    const plan = planProbes(bare, [applianceOf(bare, 'sma1')], {
      outboundCiphers: { esa1: ANON },
      ca: noCa,
      timeoutMs: 1000,
    });
    expect(plan.map((p) => [p.from, p.options.ciphers])).toEqual([
      ['esa1', ANON],
      ['esa2', undefined],
    ]);
    expect('ciphers' in plan[1]!.options).toBe(false);
  });

  it('probes an ESA’s listener with its SMA’s outbound list (the release path)', () => {
    const inv = smallFleet();
    const plan = planProbes(inv, [applianceOf(inv, 'esa2')], {
      outboundCiphers: { sma1: ANON, esa1: SAFE },
      ca: noCa,
      timeoutMs: 1000,
    });
    expect(plan).toEqual([
      {
        appliance: applianceOf(inv, 'esa2'),
        options: { host: '10.0.0.22', port: 7025, timeoutMs: 1000, expiryWarnDays: 30, ciphers: ANON },
      },
    ]);
  });

  it('takes an appliance’s own TLS settings over the fleet’s', () => {
    const inv = inventoryOf(
      [
        {
          name: 'sma1',
          role: 'sma',
          host: '10.0.0.10',
          tls: { expiryWarnDays: 7, servername: 'cpq.example' },
        },
      ],
      { tls: { expiryWarnDays: 60 } },
    );
    const [p] = planProbes(inv, inv.appliances, { outboundCiphers: {}, ca: noCa, timeoutMs: 1000 });
    expect(p!.options).toMatchObject({ expiryWarnDays: 7, servername: 'cpq.example' });
  });
});

describe('mailLogPattern', () => {
  const esaWith = (cpqPort: number, smaPort: number) =>
    applianceOf(
      inventoryOf([
        { name: 'sma1', role: 'sma', host: '10.0.0.10', cpqPort: smaPort },
        { name: 'esa1', role: 'esa', host: '10.0.0.21', cpqPort, quarantine: { sma: 'sma1', port: smaPort } },
      ]),
      'esa1',
    );

  it.each([
    [7025, 7025],
    [7025, 7026],
    [17125, 17025],
    [65535, 65534],
  ])('ESA on %i sending to %i: at most 128 characters and allow-listed', (mine, theirs) => {
    const a = esaWith(mine, theirs);
    const pattern = mailLogPattern(a);
    expect(pattern.length).toBeLessThanOrEqual(128);
    expect(commandLine({ name: 'grep', arg: pattern, log: 'mail_logs' })).toEqual({
      allowed: true,
      line: `grep -e "${pattern}" mail_logs`,
    });
    const re = new RegExp(pattern);
    for (const port of new Set([mine, theirs])) {
      expect(re.test(`Info: New SMTP DCID 12345 interface 10.10.20.1 address 10.10.10.1 port ${port}`)).toBe(
        true,
      );
    }
  });

  it('matches the mail_logs lines the findings read, and not unrelated traffic', () => {
    const re = new RegExp(mailLogPattern(esaWith(7025, 7025)));
    for (const line of [
      'Info: New CPQ ICID 12345 interface Management (10.10.10.1) address 10.10.20.1 reverse dns host unknown verified no',
      'Info: DCID 123456 TLS failed: verify error: no certificate from server',
      'Info: DCID 123456 TLS was required but could not be successfully negotiated',
      'Warning: Connection Error: DCID 63 domain: d IP: 10.0.0.10 port: 7025 details: timeout interface: x reason: network error',
      'Critical: An application fault occurred: (quarantine) ...',
      'Info: Delivery start DCID 12345 MID 23456 to RID [0] to Centralized Policy Quarantine',
    ]) {
      expect([line, re.test(line)]).toEqual([line, true]);
    }
    expect(re.test('Info: New SMTP ICID 99 interface Data 1 (10.0.0.5) address 192.0.2.1 port 25')).toBe(
      false,
    );
    expect(re.test('Info: MID 5 matched all recipients for per-recipient policy DEFAULT')).toBe(false);
  });

  it('on an SMA, also matches deliveries to the ports of the ESAs it releases mail to', () => {
    const inv = inventoryOf([
      { name: 'sma1', role: 'sma', host: '10.0.0.10', cpqPort: 7025 },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', cpqPort: 7026, quarantine: { sma: 'sma1' } },
      { name: 'esa2', role: 'esa', host: '10.0.0.22', cpqPort: 7027, quarantine: { sma: 'sma1' } },
    ]);
    const re = new RegExp(mailLogPattern(applianceOf(inv, 'sma1'), inv));
    for (const port of [7025, 7026, 7027]) {
      expect(re.test(`Info: New SMTP DCID 5 interface 10.0.0.10 address 10.0.0.21 port ${port}`)).toBe(true);
    }
  });

  it('stays within 128 characters when an SMA serves ESAs on many ports, keeping its own', () => {
    const esas = Array.from({ length: 30 }, (_, i) => ({
      name: `esa${i}`,
      role: 'esa',
      host: `10.0.1.${i + 1}`,
      cpqPort: 20000 + i,
      quarantine: { sma: 'sma1' },
    }));
    const inv = inventoryOf([{ name: 'sma1', role: 'sma', host: '10.0.0.10', cpqPort: 7025 }, ...esas]);
    const pattern = mailLogPattern(applianceOf(inv, 'sma1'), inv);
    expect(pattern.length).toBeLessThanOrEqual(128);
    expect(new RegExp(pattern).test('Info: New SMTP DCID 5 interface x address y port 7025')).toBe(true);
    expect(commandLine({ name: 'grep', arg: pattern, log: 'mail_logs' }).allowed).toBe(true);
  });

  it('names quarantine deliveries when the room allows it', () => {
    expect(mailLogPattern(esaWith(7025, 7025))).toContain('Centralized Policy Quarantine');
  });
});

describe('planCommands', () => {
  it('plans only allow-listed, read-only commands for both roles', () => {
    const inv = smallFleet();
    for (const a of inv.appliances) {
      const commands = planCommands(a);
      expect(commands.map((c) => c.name)).toEqual(['status', 'tophosts', 'showconfig', 'sslconfig', 'grep']);
      for (const c of commands) {
        const decision = commandLine(c);
        expect([c.name, decision.allowed]).toEqual([c.name, true]);
      }
      expect(commands.find((c) => c.name === 'grep')).toMatchObject({ log: 'mail_logs' });
    }
  });
});

describe('contextAppliances', () => {
  const ssh = sshWith({ passwordEnv: 'CPQ_PW' });

  it('adds the SMA a shard’s ESAs send to, once, when the shard does not hold it', () => {
    const inv = smallFleet();
    const shard = [applianceOf(inv, 'esa1'), applianceOf(inv, 'esa2')];
    expect(contextAppliances(inv, shard).map((a) => a.name)).toEqual(['sma1']);
  });

  it('adds nothing when the shard holds the SMA', () => {
    const inv = smallFleet();
    expect(contextAppliances(inv, inv.appliances)).toEqual([]);
  });

  it('skips an SMA that cannot be read (no SSH settings) or is disabled', () => {
    const inv = inventoryOf([
      { name: 'sma1', role: 'sma', host: '10.0.0.10' },
      { name: 'sma2', role: 'sma', host: '10.0.0.11', ssh, enabled: false },
      { name: 'sma3', role: 'sma', host: '10.0.0.12', ssh: { ...ssh, hostKeys: [HOST_KEY] } },
      { name: 'esa1', role: 'esa', host: '10.0.0.21', quarantine: { sma: 'sma1' }, ssh },
      { name: 'esa2', role: 'esa', host: '10.0.0.22', quarantine: { sma: 'sma2' }, ssh },
      { name: 'esa3', role: 'esa', host: '10.0.0.23', quarantine: { sma: 'sma3' }, ssh },
      { name: 'esa4', role: 'esa', host: '10.0.0.24', ssh },
    ]);
    const shard = ['esa1', 'esa2', 'esa3', 'esa4'].map((n) => applianceOf(inv, n));
    expect(contextAppliances(inv, shard).map((a) => a.name)).toEqual(['sma3']);
  });
});
