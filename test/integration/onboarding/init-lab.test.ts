/**
 * `cpq-monitor init` and `init --check` against a lab world of config/lab.yaml on ephemeral ports:
 * the inventory it writes is config/lab.yaml's (same appliances, roles, clusters, quarantine
 * targets, pinned host keys; the ports the lab really bound), host keys are confirmed through a
 * piped stdin or pinned by flag, a changed key is refused, an unreachable host is listed, and a
 * hostile appliance cannot drive the terminal or the file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { startSimulatedAppliance } from '../../../lab/appliance';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';
import type { Appliance, Inventory } from '../../../shared/inventory/schema';
import { closedPort, cpqMonitor, UNSAFE } from '../../helpers/run-cli';

const LAB = join(__dirname, '../../../config/lab.yaml');
const PASSWORD = 'init-lab-pw-8d1f';
const ENV = { CPQ_LAB_PASSWORD: PASSWORD };

let world: LabWorld;
let dir: string;
let hosts: string[];
const labYaml = loadInventory(LAB);

beforeAll(async () => {
  world = await startLabWorld(labYaml, { ephemeralPorts: true, password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'cpq-init-'));
  hosts = world.inventory.appliances.map((a) => `127.0.0.1:${a.ssh!.port}`);
});

afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const a of world.appliances.values()) a.ssh.setFault('none');
});

const LOGIN = ['--user', 'admin', '--password-env', 'CPQ_LAB_PASSWORD'];
const labKeys = labYaml.appliances.flatMap((a) => a.ssh!.hostKeys);

/** What "equivalent" compares: everything but the ports, which the lab bound afresh. */
function shape(a: Appliance) {
  return {
    name: a.name,
    role: a.role,
    host: a.host,
    cluster: a.cluster,
    quarantine: a.quarantine?.sma,
    enabled: a.enabled,
    ssh: { user: a.ssh?.user, hostKeys: a.ssh?.hostKeys, credentials: a.ssh?.credentials },
    tls: a.tls,
  };
}

/** The ports: what the lab really bound (world.inventory) against what init wrote. */
function ports(inv: Inventory) {
  return inv.appliances.map((a) => ({
    name: a.name,
    cpqPort: a.cpqPort,
    ssh: a.ssh?.port,
    quarantine: a.quarantine?.port,
  }));
}

jest.setTimeout(60_000);

describe('cpq-monitor init against the lab', () => {
  it('confirms each host key typed on a piped stdin and writes an inventory equivalent to config/lab.yaml', async () => {
    // Prepare
    const out = join(dir, 'healthy.yaml');
    // Act: three host keys confirmed, three certificates left unpinned.
    const run = await cpqMonitor(['init', ...hosts, ...LOGIN, '--out', out], {
      env: ENV,
      stdin: 'yes\nyes\nyes\nno\nno\nno\n',
    });
    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr.match(/Type yes to trust it/g)).toHaveLength(3);
    for (const k of labKeys) expect(run.stderr).toContain(k);
    const written = loadInventory(out);
    expect(written.appliances.map(shape)).toEqual(labYaml.appliances.map(shape));
    expect(ports(written)).toEqual(ports(world.inventory));
    const text = readFileSync(out, 'utf8');
    // Where each value came from, and no secret.
    expect(text).toMatch(/# version: Product "Cisco M390 Security Management Appliance"\n\s+role: sma/);
    expect(text).toMatch(
      /# showconfig: listener cpq_listener on interface Management \(127\.0\.0\.1\), port \d+\n\s+# CPQ certificate SHA-256 seen at init: [0-9A-F:]{95}/,
    );
    expect(text).toMatch(
      /# showconfig: quarantine target 127\.0\.0\.1 port \d+ = sma1\n\s+quarantine: \{ sma: sma1/,
    );
    expect(text).toMatch(/# showconfig: cluster esa-cluster\n\s+cluster: esa-cluster/);
    expect(text).not.toContain(PASSWORD);
    expect(run.stdout).toContain(`Inventory written to ${out} (3 appliance(s))`);
  });

  it('pins host keys and certificates by flag without asking, and refuses a key not among them', async () => {
    // Prepare: esa1 now serves another host key (a re-installed appliance, or someone in between).
    world.get('esa1').ssh.setFault('host_key_changed');
    const out = join(dir, 'pinned.yaml');
    // Act
    const run = await cpqMonitor(
      ['init', ...hosts, ...LOGIN, '--out', out, '--pin-certificates', '--accept-host-keys', ...labKeys],
      { env: ENV },
    );
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/Type yes/);
    expect(run.stdout).toMatch(/REFUSED host key SHA256:\S+: not among the accepted keys/);
    expect(run.stdout).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${world.get('esa1').ssh.port}\\s+host_key_not_accepted`),
    );
    const written = loadInventory(out);
    expect(written.appliances.map((a) => a.name)).toEqual(['sma1', 'esa2']);
    // Pinned: the certificate the probe saw is the lab's.
    expect(written.appliances[0]!.tls?.pins).toEqual([world.get('sma1').listener.fingerprint256]);
    expect(readFileSync(out, 'utf8')).toMatch(
      /NOT IN THIS FILE \(not read\):\n# - 127\.0\.0\.1:\d+: host_key_not_accepted/,
    );
  });

  it('lists an unreachable host and still writes the others (exit 1)', async () => {
    // Prepare
    const dead = await closedPort();
    const out = join(dir, 'unreachable.yaml');
    // Act
    const run = await cpqMonitor(
      ['init', ...hosts, `127.0.0.1:${dead}`, ...LOGIN, '--out', out, '--accept-host-keys', ...labKeys],
      {
        env: ENV,
      },
    );
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`Not read \\(not in the inventory\\):\\n\\s+127\\.0\\.0\\.1:${dead}\\s+connect_refused`),
    );
    expect(loadInventory(out).appliances).toHaveLength(3);
  });

  it('an unanswered question refuses the key: the SMA is not read and each ESA lists quarantine.sma to fill in', async () => {
    // Act: stdin ends before any answer.
    const run = await cpqMonitor(['init', ...hosts, ...LOGIN], { env: ENV, stdin: '' });
    // Assess: without --out the YAML is stdout, the report stderr.
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No appliance could be read: nothing written/);
    expect(run.stdout).toBe('');
    const partial = await cpqMonitor(['init', ...hosts, ...LOGIN], { env: ENV, stdin: 'no\nyes\nyes\n' });
    expect(partial.code).toBe(1);
    const doc = parseYaml(partial.stdout) as { appliances: Array<{ name: string; quarantine?: unknown }> };
    expect(doc.appliances.map((a) => [a.name, a.quarantine])).toEqual([
      ['esa1', undefined],
      ['esa2', undefined],
    ]);
    expect(partial.stdout).toMatch(
      /# - esa1: appliances\[\]\.quarantine\.sma: its quarantine target 127\.0\.0\.1:\d+ \(showconfig\) is none of the SMAs read/,
    );
    expect(partial.stderr).toMatch(/host_key_refused: the operator did not confirm host key/);
  });

  it.each([
    ['as the CLI prompt too (the session refuses the prompt: listed, nothing written)', false],
    ['inside a cluster prompt (read: the file and the report carry it sanitized)', true],
  ])(
    'keeps a hostile host name and CPQ banner (escapes, bidi override) out of the terminal and the file: %s',
    async (_, cluster) => {
      // Prepare: the name reaches the SSH prompt, showconfig, interfaceconfig and the 220 greeting.
      const evil = await startSimulatedAppliance({
        role: 'sma',
        hostname: 'sma9\u001b]0;owned\u0007\u202e.lab.example\u001b[2J',
        ...(cluster ? { cluster: { name: 'cl\u001b[31m1', machines: [] } } : {}),
        password: PASSWORD,
        username: 'admin',
      });
      try {
        const out = join(dir, `hostile-${cluster}.yaml`);
        // Act
        const run = await cpqMonitor(
          [
            'init',
            `127.0.0.1:${evil.ssh.port}`,
            ...LOGIN,
            '--out',
            out,
            '--accept-host-keys',
            evil.ssh.fingerprint,
          ],
          { env: ENV },
        );
        // Assess
        expect(`${run.stdout}${run.stderr}`).not.toMatch(UNSAFE);
        expect(`${run.stdout}${run.stderr}`).not.toMatch(/owned/);
        if (!cluster) {
          expect(run.code).toBe(2);
          expect(run.stdout).toMatch(
            /unexpected_prompt: after login the shell stopped at a question the monitor does not answer/,
          );
          return;
        }
        const text = readFileSync(out, 'utf8');
        // The RELAYLIST names an ESA that was not read: one thing to fill in.
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(/banner "220 sma9[^"]{0,6}\.lab\.example ESMTP/);
        expect(text).not.toMatch(UNSAFE);
        expect(text).not.toMatch(/owned/);
        expect(text).toMatch(/# CPQ greeting: 220 sma9[^\n]{0,6}\.lab\.example ESMTP/);
        expect(loadInventory(out).appliances[0]).toMatchObject({ name: 'sma9', cluster: 'cl1' });
      } finally {
        await evil.close();
      }
    },
  );
});

describe('cpq-monitor init --check against the lab', () => {
  let inventoryFile: string;

  beforeAll(async () => {
    inventoryFile = join(dir, 'check.yaml');
    const run = await cpqMonitor(
      ['init', ...hosts, ...LOGIN, '--out', inventoryFile, '--accept-host-keys', ...labKeys],
      {
        env: ENV,
      },
    );
    expect(run.code).toBe(0);
  });

  it('reports no drift on the fleet it was made from (exit 0)', async () => {
    const run = await cpqMonitor(['init', '--check', inventoryFile], { env: ENV });
    expect(run.stdout).toContain('No drift');
    expect(run.code).toBe(0);
  });

  it('lists what it could not compare and exits 3 instead of saying "No drift"', async () => {
    // Prepare: esa1's showconfig stops at a menu the reader does not know; sma1's listeners refuse.
    world.get('esa1').ssh.setFault('relabelled_mask_menu');
    await world.get('sma1').suspend();
    try {
      // Act
      const run = await cpqMonitor(['init', '--check', inventoryFile], { env: ENV });
      const json = await cpqMonitor(['init', '--check', inventoryFile, '--json'], { env: ENV });
      // Assess
      expect(run.stdout).not.toContain('No drift:');
      expect(run.stdout).toMatch(/not compared: esa1: showconfig \([a-z_]+\)/);
      expect(run.stdout).toMatch(/not compared: sma1: CPQ probe \(connect_refused\)/);
      expect(run.code).toBe(3);
      const doc = JSON.parse(json.stdout) as { notCompared: Array<{ appliance: string; what: string }> };
      expect(doc.notCompared).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ appliance: 'esa1', what: 'showconfig' }),
          { appliance: 'sma1', what: 'CPQ probe', why: 'connect_refused' },
        ]),
      );
      expect(json.code).toBe(3);
    } finally {
      world.get('esa1').ssh.setFault('none');
      await world.get('sma1').resume();
    }
  });

  it('reports a rotated host key (critical), a new ESA allowed by the SMA and a moved quarantine port (warnings)', async () => {
    // Prepare
    world.get('esa2').ssh.setFault('host_key_changed');
    const cpq = world.get('sma1').state.listeners.find((l) => l.name === 'cpq_listener')!;
    cpq.relayList.push('127.0.0.77');
    const target = world.get('esa1').state.cpqTarget!;
    const oldPort = target.port;
    target.port = 7026;
    try {
      // Act
      const run = await cpqMonitor(['init', '--check', inventoryFile, '--json'], { env: ENV });
      // Assess
      expect(run.code).toBe(2);
      const doc = JSON.parse(run.stdout) as {
        drift: Array<{ appliance: string; field: string; severity: string; seen: string }>;
      };
      expect(doc.drift.map((d) => [d.appliance, d.field, d.severity])).toEqual([
        ['esa1', 'quarantine', 'warning'],
        ['esa2', 'ssh.hostKeys', 'critical'],
        ['esa2', 'ssh', 'critical'],
        ['sma1', 'appliances', 'warning'],
      ]);
      expect(doc.drift[0]!.seen).toBe('sma1 port 7026');
      expect(doc.drift[1]!.seen).toBe(world.get('esa2').ssh.changedFingerprint);
      expect(doc.drift[3]!.seen).toMatch(/^127\.0\.0\.77 may deliver quarantined mail/);
      // Accepting the new key by flag reads the appliance; the rotation is still reported.
      const accepted = await cpqMonitor(
        [
          'init',
          '--check',
          inventoryFile,
          '--json',
          '--accept-host-keys',
          world.get('esa2').ssh.changedFingerprint,
        ],
        { env: ENV },
      );
      const again = JSON.parse(accepted.stdout) as typeof doc;
      expect(again.drift.filter((d) => d.appliance === 'esa2').map((d) => d.field)).toEqual(['ssh.hostKeys']);
    } finally {
      cpq.relayList.pop();
      target.port = oldPort;
    }
  });

  it('reports a changed CPQ port and a replaced certificate', async () => {
    // Prepare: the file says another port for esa2 and pins a certificate for sma1 that is not served.
    const doc = parseYaml(readFileSync(inventoryFile, 'utf8')) as {
      appliances: Array<Record<string, unknown>>;
    };
    doc.appliances[2]!.cpqPort = 7125;
    doc.appliances[0]!.tls = { pins: ['AA'.repeat(32)] };
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, stringify(doc));
    // Act
    const run = await cpqMonitor(['init', '--check', changed], { env: ENV });
    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/esa2\s+│ cpqPort\s+│ critical │ 7125/);
    expect(run.stdout).toMatch(/sma1\s+│ tls\.pins\s+│ critical/);
  });
});
