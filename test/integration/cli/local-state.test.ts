/**
 * One local state file for `check`, `silence`, `ack` and `alerts`, found from `--inventory` alone,
 * as an on-call engineer types the commands: spawned binaries, a lab world in this process, the
 * commands run from another directory than the inventory's.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertsDocument } from '../../../cli/alerts';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';
import { cpqMonitor } from '../../helpers/run-cli';

const LAB = join(__dirname, '../../../config/lab.yaml');
const PASSWORD = 'lab-state-pw-51d0';
const ALERT = 'sma1/cpq_listener_refused';

let world: LabWorld;
let dir: string;
let elsewhere: string;
let inventoryFile: string;
let stateFile: string;

beforeAll(async () => {
  world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'cpq-local-state-'));
  elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  inventoryFile = join(dir, 'fleet.json');
  writeFileSync(inventoryFile, JSON.stringify(world.inventory));
  stateFile = join(dir, '.cpq-monitor', 'fleet.json.state.json');
});

afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The command from a directory that is not the inventory's, as on-call runs it. */
function run(args: string[]) {
  return cpqMonitor(args, { env: { CPQ_LAB_PASSWORD: PASSWORD }, cwd: elsewhere });
}

describe('local state from --inventory', () => {
  it('a silence added with --inventory mutes the next check --inventory; alerts and ack read the same file', async () => {
    const add = await run([
      'silence',
      'add',
      '--appliance',
      'sma1',
      '--for',
      '30m',
      '--reason',
      'listener maintenance CHG-7',
      '--author',
      'dana',
      '--inventory',
      inventoryFile,
    ]);
    expect(add.stderr).not.toMatch(/cpq-monitor:/);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(`added to state file ${stateFile}`);
    const silenceId = /silence (sil-[0-9a-f]{8}) added/.exec(add.stdout)![1]!;

    await world.get('sma1').suspend();
    try {
      const check = await run(['check', '--inventory', inventoryFile, '--cycle', 'probe']);
      expect(check.code).toBe(2);
      expect(check.stdout).toContain(`alert state: ${stateFile}`);
      // Muted: no page, and the findings table says by which silence.
      expect(check.stdout).not.toMatch(/ PAGE /);
      expect(check.stdout).toMatch(/1 muted/);
      expect(check.stdout).toMatch(new RegExp(`${ALERT}[^\\n]*muted: silence ${silenceId} until`));
      // Every file check writes by default sits beside the inventory, none in the working directory.
      expect(existsSync(join(dir, '.cpq-monitor', 'fleet.json.metrics.emf.jsonl'))).toBe(true);
      expect(existsSync(join(dir, '.cpq-monitor', 'fleet.json.state.memory.json'))).toBe(true);
      expect(existsSync(join(elsewhere, '.cpq-monitor'))).toBe(false);

      const ack = await run([
        'ack',
        ALERT,
        '--reason',
        'on it',
        '--author',
        'lee',
        '--inventory',
        inventoryFile,
      ]);
      expect(ack.code).toBe(0);
      expect(ack.stdout).toContain(`acknowledged ${ALERT} in state file ${stateFile}`);

      const listed = await run(['alerts', '--inventory', inventoryFile, '--json']);
      expect(listed.code).toBe(0);
      const doc = JSON.parse(listed.stdout) as AlertsDocument;
      expect(doc.source).toBe(`state file ${stateFile}`);
      expect(doc.alerts).toEqual([
        expect.objectContaining({
          id: ALERT,
          severity: 'critical',
          state: 'alarm',
          silenced: expect.objectContaining({ source: 'silence', silenceId, author: 'dana' }),
          acknowledged: expect.objectContaining({ by: 'lee', reason: 'on it' }),
        }),
      ]);
      expect(doc.alerts[0]!.since).toEqual(expect.any(String));

      const readable = await run(['alerts', '--inventory', inventoryFile]);
      expect(readable.stdout).toMatch(/last notified/);
      expect(readable.stdout).toContain(`${silenceId} (dana) until`);
      expect(readable.stdout).toContain('lee at');
      expect(readable.stdout).toContain(`1 open alert(s) in state file ${stateFile}`);

      const filtered = await run(['alerts', '--inventory', inventoryFile, '--alert-state', 'pending']);
      expect(filtered.stdout).toContain('no open alerts');
      const byCheck = await run(['alerts', '--inventory', inventoryFile, '--check', 'cpq_*', '--json']);
      expect((JSON.parse(byCheck.stdout) as AlertsDocument).alerts.map((a) => a.id)).toEqual([ALERT]);
      const badState = await run(['alerts', '--inventory', inventoryFile, '--alert-state', 'firing']);
      expect(badState.code).toBe(3);
      expect(badState.stderr).toMatch(/--alert-state "firing" is not one of pending, alarm, recovering, ok/);

      // One alert in full: its finding's evidence and fix.
      const one = await run(['alerts', ALERT, '--inventory', inventoryFile]);
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(/Evidence:\n {2}probe /);
      expect(one.stdout).toMatch(/Fix:\n {2}1\. /);
      expect(one.stdout).toContain('Runbook: docs/runbook.md#cpq_listener_refused');
    } finally {
      await world.get('sma1').resume();
    }
  }, 120_000);

  it('refusals name the state file they read; without --inventory or --state the command asks for one', async () => {
    const ack = await run([
      'ack',
      'esa9/cpq_listener_refused',
      '--reason',
      'x',
      '--inventory',
      inventoryFile,
    ]);
    expect(ack.code).toBe(3);
    expect(ack.stderr).toContain(`(read state file ${stateFile})`);

    const none = await run(['silence', 'list']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/give --inventory FILE .* or --state FILE/);

    const explicit = join(dir, 'other.state.json');
    const list = await run(['silence', 'list', '--inventory', inventoryFile, '--state', explicit]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`(read from state file ${explicit})`);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).format).toBe('cpq-monitor-alerts');
  }, 60_000);
});
