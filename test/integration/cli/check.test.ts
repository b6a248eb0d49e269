/**
 * `cpq-monitor check` as an operator runs it: a child process against a lab world started in this
 * test process (so the child must be spawned asynchronously: the lab answers from this event loop).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';
import { cpqMonitor } from '../../helpers/run-cli';

const LAB = join(__dirname, '../../../config/lab.yaml');
const PASSWORD = 'lab-cli-pw-2c7e';

let world: LabWorld;
let dir: string;
let inventoryFile: string;

beforeAll(async () => {
  world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'cpq-check-'));
  inventoryFile = join(dir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(world.inventory));
});

afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

function check(extra: string[] = []) {
  return cpqMonitor(
    [
      'check',
      '--inventory',
      inventoryFile,
      '--json',
      '--state',
      join(dir, 'state.json'),
      '--emf',
      join(dir, 'metrics.emf.jsonl'),
      ...extra,
    ],
    { env: { CPQ_LAB_PASSWORD: PASSWORD } },
  );
}

interface CheckDocument {
  findings: Array<{ id: string; severity: string }>;
  alerts: Array<{ id: string; after: string; notifications: Array<{ kind: string; outcome: string }> }>;
  metrics: Array<{ name: string }>;
  paths: Array<{ id: string; state: string }>;
  problems: string[];
}

describe('cpq-monitor check', () => {
  it('exits 0 on a healthy lab, 2 while the SMA is suspended (one page, on stderr), 0 after resume', async () => {
    const healthy = await check();
    // Nothing paged and no error (stderr may carry runtime warnings, such as the SDK's on Node 20).
    expect(healthy.stderr).not.toMatch(/ PAGE | RECOVERY |cpq-monitor:/);
    expect(healthy.code).toBe(0);
    const ok = JSON.parse(healthy.stdout) as CheckDocument;
    expect(Object.keys(ok)).toEqual(expect.arrayContaining(['findings', 'alerts', 'metrics', 'paths']));
    expect(ok.findings).toEqual([]);
    expect(ok.alerts).toEqual([]);
    expect(ok.problems).toEqual([]);
    expect(ok.paths.map((p) => p.state)).toEqual(['up', 'up', 'up', 'up']);
    expect(ok.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['ListenersDown', 'MonitorHeartbeat']),
    );

    await world.get('sma1').suspend();
    const down = await check();
    expect(down.code).toBe(2);
    // With --json, stdout is exactly one document; the page goes to stderr.
    const doc = JSON.parse(down.stdout) as CheckDocument;
    expect(doc.findings.map((f) => [f.id, f.severity])).toEqual([['sma1/cpq_listener_refused', 'critical']]);
    expect(doc.alerts).toEqual([
      expect.objectContaining({
        id: 'sma1/cpq_listener_refused',
        after: 'alarm',
        notifications: [expect.objectContaining({ kind: 'page', outcome: 'sent' })],
      }),
    ]);
    expect(Object.fromEntries(doc.paths.map((p) => [p.id, p.state]))).toMatchObject({
      'esa1->sma1': 'down',
      'esa2->sma1': 'down',
    });
    expect(down.stderr.match(/ PAGE /g)).toHaveLength(1);
    expect(down.stderr).toContain('sma1/cpq_listener_refused');

    await world.get('sma1').resume();
    const back = await check(['--cycle', 'probe']);
    expect(back.code).toBe(0);
    expect((JSON.parse(back.stdout) as CheckDocument).alerts).toEqual([
      expect.objectContaining({ id: 'sma1/cpq_listener_refused', after: 'ok' }),
    ]);
    expect(back.stderr).toContain('RECOVERY');

    // The state and the EMF lines went where they were told to.
    expect(existsSync(join(dir, 'state.json'))).toBe(true);
    expect(existsSync(join(dir, 'state.memory.json'))).toBe(true);
    const emfLines = readFileSync(join(dir, 'metrics.emf.jsonl'), 'utf8').trim().split('\n');
    expect(emfLines.length).toBeGreaterThanOrEqual(3);
    // The file is what the Lambda's log carries: EMF documents and one record per appliance.
    const docs = emfLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const d of docs) expect('_aws' in d || d.record === 'appliance').toBe(true);
    expect(docs.filter((d) => '_aws' in d).length).toBeGreaterThanOrEqual(3);
    expect(docs.filter((d) => d.record === 'appliance').map((d) => d.appliance)).toContain('sma1');
  });

  it('a short --timeout still leaves the probes and reads their time', async () => {
    // The cycle keeps time for alerts and metrics after its I/O; with 6 s in all, a fixed 5 s
    // reserve would leave under the 1 s a probe or read needs to start, and skip everything.
    const r = await check(['--timeout', '6000', '--cycle', 'probe']);
    const doc = JSON.parse(r.stdout) as CheckDocument & { skipped: string[] };
    expect(doc.skipped).toEqual([]);
    expect(doc.paths.map((p) => p.state)).toEqual(['up', 'up', 'up', 'up']);
    expect(r.code).toBe(0);
  });

  it('exits 3 naming the file and the field of an invalid inventory', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'appliances:\n  - name: sma1\n    role: sma\n    host: 127.0.0.1\n    cpqPort: 70250\n',
    );
    const r = await cpqMonitor([
      'check',
      '--inventory',
      bad,
      '--json',
      '--state',
      join(dir, 'bad-state.json'),
      '--emf',
      join(dir, 'bad.emf.jsonl'),
    ]);
    expect(existsSync(join(dir, 'bad.emf.jsonl'))).toBe(false);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}: invalid inventory`);
    expect(r.stderr).toMatch(/appliances\[0\] \(sma1\)\.cpqPort \(line 5\): /);
  });

  it('exits 3 for an unknown --cycle', async () => {
    const r = await cpqMonitor([
      'check',
      '--inventory',
      inventoryFile,
      '--cycle',
      'everything',
      '--state',
      join(dir, 'unused-state.json'),
      '--emf',
      join(dir, 'unused.emf.jsonl'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--cycle must be one of probe, ssh, full, not "everything"');
  });
});
