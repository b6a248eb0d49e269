import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { LabWorld } from '../../../lab/world';
import { credentialResolver } from '../../../shared/cycle/credentials';
import { type CycleDeps, type CycleKind, runCycle } from '../../../shared/cycle/run';
import type { Inventory } from '../../../shared/inventory/schema';
import { type LabCycle, startLabCycle } from '../../helpers/lab-cycle';

const PASSWORD = 'lab-cred-pw-7a3c';
const GROUP = 'ssh_credentials_unavailable';

/** The notifications a console stream received: `KIND id` each, from their `Alert:` lines. */
function notificationsIn(text: string): string[] {
  return [...text.matchAll(/^\s*Alert:\s+(\S+) \((\w+), notification /gm)].map(
    (m) => `${m[2]!.toUpperCase()} ${m[1]}`,
  );
}

/** Appliance records of an EMF stream: appliance → the checks it lists as open. */
function recordFindings(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    const doc = JSON.parse(line) as { record?: string; appliance?: string; findings?: string[] };
    if (doc.record === 'appliance' && doc.appliance !== undefined) out[doc.appliance] = doc.findings ?? [];
  }
  return out;
}

/** The `Severity:` words of the notifications a console stream received. */
function severitiesIn(text: string): string[] {
  return [...text.matchAll(/^\s*Severity:\s+(\w+)/gm)].map((m) => m[1]!.toLowerCase());
}

let lab: LabCycle;
let world: LabWorld;
let inventory: Inventory;
let pages: LabCycle['pages'];
let emf: LabCycle['emf'];
let deps: Omit<CycleDeps, 'credentials'>;

beforeEach(async () => {
  lab = await startLabCycle(PASSWORD);
  ({ world, inventory, pages, emf, deps } = lab);
});

afterEach(async () => {
  await lab.close();
});

function cycle(kind: CycleKind, credentials: CycleDeps['credentials'], inv = inventory) {
  return runCycle({ inventory: inv, kind, deadline: Date.now() + 25_000 }, { ...deps, credentials });
}

describe('one credential cause pages once', () => {
  it('an unset passwordEnv shared by three appliances: one finding, one page, one severity; it recovers once', async () => {
    // Act: CPQ_LAB_PASSWORD, named by every appliance of the lab, is not set.
    const r = await cycle('ssh', credentialResolver({ env: {} }));

    // Assess: the three reads say why, at the severity the finding pages with.
    expect(r.config.map((o) => [o.appliance, o.read.code, o.read.status])).toEqual([
      ['sma1', 'credentials_unavailable', 'warning'],
      ['esa1', 'credentials_unavailable', 'warning'],
      ['esa2', 'credentials_unavailable', 'warning'],
    ]);
    const cred = r.findings.filter((f) => f.check === GROUP);
    expect(cred).toHaveLength(1);
    const f = cred[0]!;
    expect(r.findings).toEqual([f]);
    expect(f.severity).toBe('warning');
    expect(f.summary).toContain('CPQ_LAB_PASSWORD');
    expect(f.summary).toContain('3 appliances not read (sma1, esa1, esa2)');
    for (const name of ['sma1', 'esa1', 'esa2']) {
      expect(f.evidence.some((l) => l.startsWith(`${name} `))).toBe(true);
    }
    // Every evidence line that gives a severity gives the finding's.
    expect(f.evidence.join('\n')).not.toMatch(/critical|info/i);
    expect(f.evidence.join('\n')).toContain('warning credentials_unavailable');
    // The fix names the source once.
    expect(f.remediation.filter((l) => l.includes('CPQ_LAB_PASSWORD')).length).toBeGreaterThan(0);
    expect(f.remediation.join('\n')).not.toContain('Secrets Manager secret');
    // The per-appliance ids are gone from what is checked; the grouped one is there.
    expect(r.checked).toContain(f.id);
    expect(r.checked.filter((id) => id.endsWith(`/${GROUP}`))).toEqual([f.id]);
    // Nothing was read, so nothing says the paths are up.
    expect(new Set(r.paths.map((p) => p.state))).toEqual(new Set(['unknown']));
    // Each appliance's record still shows why it was not read.
    expect(recordFindings(emf.take())).toEqual({
      sma1: [GROUP],
      esa1: [GROUP],
      esa2: [GROUP],
    });

    const first = pages.take();
    expect(notificationsIn(first)).toEqual([`PAGE ${f.id}`]);
    expect(severitiesIn(first)).toEqual(['warning']);
    expect(first).not.toMatch(/critical/i);

    // Act: the variable is set; every appliance is read again.
    const fixed = await cycle('ssh', credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }));

    // Assess: no finding, one recovery for the one alert.
    expect(fixed.config.map((o) => o.read.code)).toEqual(['ok', 'ok', 'ok']);
    expect(fixed.findings).toEqual([]);
    expect(fixed.checked).toContain(f.id);
    expect(notificationsIn(pages.take())).toEqual([`RECOVERY ${f.id}`]);
  });

  it('an appliance fixed on its own drops out of the list; the alert stays open for the others', async () => {
    await cycle('ssh', credentialResolver({ env: {} }));
    const opened = notificationsIn(pages.take());
    expect(opened).toHaveLength(1);

    // Act: sma1 now gets its password from a variable that is set; the ESAs still share the unset one.
    const moved = structuredClone(inventory);
    moved.appliances.find((a) => a.name === 'sma1')!.ssh!.credentials = { passwordEnv: 'SMA_PASSWORD' };
    const r = await cycle('ssh', credentialResolver({ env: { SMA_PASSWORD: PASSWORD } }), moved);

    // Assess: the same finding, now listing the two ESAs; no new page, no recovery.
    const cred = r.findings.filter((x) => x.check === GROUP);
    expect(cred.map((x) => x.id)).toEqual([opened[0]!.split(' ')[1]]);
    expect(cred[0]!.summary).toContain('2 appliances not read (esa1, esa2)');
    expect(cred[0]!.evidence.some((l) => l.startsWith('sma1 '))).toBe(false);
    expect(notificationsIn(pages.take())).toEqual([]);
  });

  it('a Secrets Manager secret that does not exist, shared by two ESAs: one finding', async () => {
    // Prepare: the ESAs share a secret the account does not have; the SMA keeps its variable.
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    const inv = structuredClone(inventory);
    for (const a of inv.appliances) if (a.role === 'esa') a.ssh!.credentials = { secretId: 'cpq/lab-esa' };
    try {
      const client = new SecretsManagerClient({ region: 'eu-west-1' });
      const credentials = credentialResolver({
        env: { CPQ_LAB_PASSWORD: PASSWORD },
        secretsManager: client,
      });

      // Act
      const r = await cycle('ssh', credentials, inv);

      // Assess
      expect(r.config.map((o) => [o.appliance, o.read.code])).toEqual([
        ['sma1', 'ok'],
        ['esa1', 'credentials_unavailable'],
        ['esa2', 'credentials_unavailable'],
      ]);
      const cred = r.findings.filter((f) => f.check === GROUP);
      expect(cred).toHaveLength(1);
      expect(cred[0]!.summary).toContain('cpq/lab-esa');
      expect(cred[0]!.summary).toContain('2 appliances not read (esa1, esa2)');
      expect(cred[0]!.evidence.join('\n')).toContain('ResourceNotFoundException');
      expect(cred[0]!.remediation.join('\n')).toContain('cpq/lab-esa');
      expect(notificationsIn(pages.take())).toEqual([`PAGE ${cred[0]!.id}`]);
      // The SMA's variable was checked and works: its own group was evaluated and is quiet.
      expect(r.checked.filter((id) => id.startsWith('monitor:') && id.endsWith(`/${GROUP}`))).toHaveLength(2);
    } finally {
      sm.restore();
    }
  });
});

describe('a read that cannot complete', () => {
  it('a status command that hangs is ssh_read_incomplete at warning', async () => {
    // Prepare: esa1 echoes the command and then says nothing; a short SSH timeout ends the wait.
    world.get('esa1').ssh.setFault('hang_in_command');
    const inv = structuredClone(inventory);
    inv.monitor = { ...inv.monitor, sshTimeoutMs: 2000 };

    // Act
    const r = await cycle('ssh', credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }), inv);

    // Assess
    expect(r.config.find((o) => o.appliance === 'esa1')!.read.code).toBe('command_timeout');
    const f = r.findings.find((x) => x.id === 'esa1/ssh_read_incomplete');
    expect(f).toBeDefined();
    expect(f!.severity).toBe('warning');
    const text = pages.take();
    expect(notificationsIn(text)).toContain('PAGE esa1/ssh_read_incomplete');
    expect(severitiesIn(text)).not.toContain('info');
  });
});
