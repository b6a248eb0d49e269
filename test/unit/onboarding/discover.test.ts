/**
 * The pure part of `init`: readings (AsyncOS output as the lab renders it, parsed by the real
 * parsers) → inventory entries with their sources, what is left to fill in, the YAML written, and
 * the drift against an inventory. No sockets.
 */
import { parse as parseYaml } from 'yaml';
import { type ApplianceSpec, createApplianceState } from '../../../lab/appliance-state';
import { interfaceconfigSteps, listenerconfigSteps, sslconfigSteps } from '../../../lab/output/menus';
import { showconfigXml } from '../../../lab/output/showconfig';
import type { Step } from '../../../lab/output/steps';
import { statusText, versionText } from '../../../lab/output/system';
import { parseCommandOutput } from '../../../shared/asyncos/commands';
import type { CommandResult, ReadResult } from '../../../shared/asyncos/types';
import { parseInventoryText } from '../../../shared/inventory/load';
import { discover, type HostReading } from '../../../shared/onboarding/discover';
import { inventoryYaml, recordedCertificates } from '../../../shared/onboarding/document';
import { driftOf } from '../../../shared/onboarding/drift';
import { nameFrom, roleFrom } from '../../../shared/onboarding/identity';
import type { ProbeResult } from '../../../shared/probes/types';

const KEY_SMA = 'SHA256:bZBk44sQeZ+rmq52CKYHgpKTKi9Fib8HnwJJnVI4pVA';
const KEY_ESA = 'SHA256:OEGFATCyKYnMXicvuObNtYD2T85InfSUzZ9APGaXeco';
const CERT = `${'AB:'.repeat(31)}AB`;
const LOGIN = { user: 'monitor', credentials: { secretId: 'cpq-monitor/{name}' } };

const text = (steps: Step[]) => steps.map((s) => ('out' in s ? s.out : '')).join('');

function result(name: Parameters<typeof parseCommandOutput>[0], raw: string): CommandResult {
  const p = parseCommandOutput(name, raw);
  return p.ok
    ? { status: 'ok', code: 'ok', message: 'ok', parsed: p.facts, raw }
    : { status: 'warning', code: 'unexpected_output', message: p.reason, parsed: null, raw };
}

/** A reading of a lab appliance state, as `init` would have gathered it. */
function reading(
  spec: ApplianceSpec,
  host: string,
  hostKey: string,
  cert: string | null = CERT,
): HostReading {
  const s = createApplianceState(spec);
  const commands: Record<string, CommandResult> = {
    version: result('version', versionText(s)),
    status: result('status', statusText(s, false)),
    showconfig: result('showconfig', showconfigXml(s)),
    sslconfig: result('sslconfig', text(sslconfigSteps(s))),
    listenerconfig: result('listenerconfig', text(listenerconfigSteps(s))),
    interfaceconfig: result('interfaceconfig', text(interfaceconfigSteps(s))),
  };
  const read: ReadResult = {
    host,
    port: 22,
    status: 'ok',
    code: 'ok',
    message: 'read',
    hostKey,
    startedAt: '2026-01-01T00:00:00Z',
    timings: { totalMs: 1 },
    commands,
  };
  const probe = {
    host,
    port: spec.cpqPort ?? 7025,
    status: 'ok',
    code: 'ok',
    banner: `220 ${spec.hostname} ESMTP`,
    tls: cert === null ? null : { certificate: { fingerprint256: cert } },
    message: 'ok',
  } as unknown as ProbeResult;
  return { target: { host, port: 22 }, hostKey, read, probe };
}

const sma = () =>
  reading(
    { role: 'sma', hostname: 'sma1.example.com', ip: '10.0.0.5', cpqPort: 7025, relayList: ['10.0.0.6'] },
    '10.0.0.5',
    KEY_SMA,
  );
const esa = (target = { enabled: true, host: 'sma1.example.com', port: 7025, interface: 'Management' }) =>
  reading(
    {
      role: 'esa',
      hostname: 'esa1.example.com',
      ip: '10.0.0.6',
      cpqPort: 7025,
      cluster: { name: 'mail-cluster', machines: [] },
      cpqTarget: target,
      outboundCiphers: 'ALL',
    },
    '10.0.0.6',
    KEY_ESA,
  );

describe('roleFrom and nameFrom', () => {
  it.each([
    [{ Version: '1', Product: 'Cisco M390 Security Management Appliance' }, 'sma'],
    [{ Version: '1', Product: 'Cisco Secure Email and Web Manager Virtual' }, 'sma'],
    [{ Version: '1', Product: 'Cisco Secure Email Gateway' }, 'esa'],
    [{ Version: '1', Model: 'M600V' }, 'sma'],
    [{ Version: '1', Model: 'C100V' }, 'esa'],
    [{ Version: '1', Model: 'X1070' }, 'esa'],
  ])('reads %j as %s', (version, role) => {
    expect(roleFrom(version, null, null)?.role).toBe(role);
  });

  it('gives null when nothing tells', () => {
    expect(roleFrom({ Version: '1' }, null, null)).toBeNull();
  });

  it('turns a hostile host name into a valid inventory name', () => {
    expect(nameFrom('\u001b]0;x\u0007esa\u202e1.example.com')).toBe('esa1');
    expect(nameFrom('...')).toBeNull();
  });
});

describe('discover', () => {
  it('matches the ESA quarantine target to the SMA by host name and writes references only', () => {
    // Act
    const d = discover([sma(), esa()], LOGIN);
    // Assess
    expect(d.appliances.map((a) => [a.name, a.role, a.cpqPort, a.cluster, a.quarantine])).toEqual([
      ['sma1', 'sma', 7025, undefined, undefined],
      ['esa1', 'esa', 7025, 'mail-cluster', { sma: 'sma1', port: 7025 }],
    ]);
    expect(d.appliances[1]!.ssh.credentials).toEqual({ secretId: 'cpq-monitor/esa1' });
    expect(d.appliances[1]!.sources.quarantine).toBe(
      'showconfig: quarantine target sma1.example.com port 7025 = sma1',
    );
    expect(d.unresolved).toEqual([]);
    // ALL lets anonymous suites through: worth a note, nothing to fill in.
    expect(d.notes.map((n) => n.text).join('\n')).toMatch(/allows anonymous suites/);
  });

  it('names the field to fill in when the SMA was not read or the port differs', () => {
    const alone = discover([esa()], LOGIN);
    expect(alone.appliances[0]!.quarantine).toBeUndefined();
    expect(alone.unresolved).toEqual([
      expect.objectContaining({ appliance: 'esa1', field: 'appliances[].quarantine.sma' }),
    ]);
    const moved = discover(
      [sma(), esa({ enabled: true, host: '10.0.0.5', port: 7026, interface: 'Management' })],
      LOGIN,
    );
    expect(moved.appliances[1]!.quarantine).toEqual({ sma: 'sma1', port: 7026 });
    expect(moved.notes.map((n) => n.text)).toContain(
      "it sends quarantined mail to port 7026, but sma1's CPQ listener is on port 7025",
    );
  });

  it('lists an unread host and an SMA relay entry that no ESA read explains', () => {
    const d = discover(
      [
        sma(),
        {
          target: { host: '10.0.0.9', port: 22 },
          hostKey: null,
          read: null,
          probe: null,
          notRead: { code: 'connect_refused', message: 'refused' },
        },
      ],
      LOGIN,
    );
    expect(d.unread).toEqual([{ host: '10.0.0.9', port: 22, code: 'connect_refused', message: 'refused' }]);
    expect(d.unresolved.map((u) => u.why)).toEqual([
      expect.stringMatching(/accepts quarantined mail from 10\.0\.0\.6 \(RELAYLIST\)/),
    ]);
  });
});

describe('inventoryYaml', () => {
  it('passes the schema, comments each value, records the unpinned certificate, and pins on request', () => {
    // Prepare
    const s = sma();
    const e = { ...esa(), pinCertificate: true };
    // Act
    const yaml = inventoryYaml(discover([s, e], LOGIN), '2026-01-01T00:00:00Z');
    // Assess
    const inv = parseInventoryText(yaml, 'init');
    expect(inv.appliances[1]!.tls?.pins).toEqual([CERT]);
    expect(inv.appliances[0]!.tls).toBeUndefined();
    expect(yaml).toMatch(/# version: Product "Cisco M390 Security Management Appliance"\n\s+role: sma/);
    expect(yaml).toMatch(
      /# Secrets Manager secret id given to init \(the secret is never written here\)\n\s+credentials: \{ secretId: cpq-monitor\/sma1 \}/,
    );
    expect([...recordedCertificates(yaml)]).toEqual([['sma1', CERT]]);
    expect(parseYaml(yaml)).not.toHaveProperty('monitor');
  });

  it('refuses to write an empty inventory', () => {
    expect(() => inventoryYaml({ appliances: [], unread: [], unresolved: [], notes: [] }, 'now')).toThrow(
      /nothing to write/,
    );
  });
});

describe('driftOf', () => {
  const base = () => parseInventoryText(inventoryYaml(discover([sma(), esa()], LOGIN), 'now'), 'inv');

  it('finds nothing when the fleet is as written', () => {
    const keys = new Map([
      ['sma1', KEY_SMA],
      ['esa1', KEY_ESA],
    ]);
    const readings = [
      { ...sma(), name: 'sma1' },
      { ...esa(), name: 'esa1' },
    ];
    expect(driftOf(base(), discover(readings, LOGIN), keys)).toEqual([]);
  });

  it('reports a changed port, a rotated key, a replaced certificate and a new ESA', () => {
    const inv = base();
    inv.appliances[1]!.cpqPort = 7125;
    const keys = new Map([
      ['sma1', 'SHA256:4N8WDGQwMhaZwl+tHd5m0cex68AtjdjOOfu62/fCrOo'],
      ['esa1', KEY_ESA],
    ]);
    const newer = `${'CD:'.repeat(31)}CD`;
    const s = reading(
      { role: 'sma', hostname: 'sma1.example.com', ip: '10.0.0.5', relayList: ['10.0.0.6', '10.0.0.8'] },
      '10.0.0.5',
      KEY_SMA,
      newer,
    );
    const d = discover(
      [
        { ...s, name: 'sma1' },
        { ...esa(), name: 'esa1' },
      ],
      LOGIN,
    );
    const drift = driftOf(inv, d, keys, new Map([['sma1', CERT]]));
    expect(drift.map((x) => [x.appliance, x.field, x.severity])).toEqual([
      ['sma1', 'ssh.hostKeys', 'critical'],
      ['sma1', 'tls', 'ok'],
      ['esa1', 'cpqPort', 'critical'],
      ['sma1', 'appliances', 'warning'],
    ]);
  });
});
