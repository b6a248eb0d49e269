/**
 * `cpq-monitor check` at its edges: a signal in the middle of a slow cycle, and where the alert
 * state goes when --state is not given. Child processes against a lab world in this process.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';
import { cpqMonitor, startCpqMonitor } from '../../helpers/run-cli';

const LAB = join(__dirname, '../../../config/lab.yaml');
const PASSWORD = 'lab-edges-pw-0b7d';

let world: LabWorld;
let dir: string;
let inventoryFile: string;

beforeAll(async () => {
  world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'cpq-check-edges-'));
  inventoryFile = join(dir, 'fleet-a.json');
  writeFileSync(inventoryFile, JSON.stringify(world.inventory));
});

afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cpq-monitor check, signalled mid-cycle', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s ends the cycle, saves state and memory, exits %i', async (signal, expected) => {
    // The SMA refuses the monitor's login: a first, whole cycle opens its alert in the state file.
    world.get('sma1').ssh.setFault('wrong_password');
    const lines = world.get('esa1').ssh.record.lines;
    const state = join(dir, `${signal}.json`);
    try {
      await cpqMonitor(
        [
          'check',
          '--inventory',
          inventoryFile,
          '--cycle',
          'ssh',
          '--state',
          state,
          '--emf',
          join(dir, 'm.jsonl'),
        ],
        { env: { CPQ_LAB_PASSWORD: PASSWORD } },
      );
      expect(readFileSync(state, 'utf8')).toContain('sma1');
      // A command that never returns would keep the cycle busy until its command timeout.
      world.get('esa1').ssh.setFault('hang_in_command');
      const before = lines.length;
      const { child, done } = startCpqMonitor(
        ['check', '--inventory', inventoryFile, '--state', state, '--emf', join(dir, 'm.jsonl')],
        { env: { CPQ_LAB_PASSWORD: PASSWORD } },
      );
      // Signal once the hung read has started (its command line reached the lab).
      while (lines.length === before) await new Promise((r) => setTimeout(r, 50));
      child.kill(signal);
      const r = await done;
      expect(r.code).toBe(expected);
      // The hung read was cut short and said so; it raised no finding of its own.
      expect(r.stdout).toContain('ssh esa1 (interrupted)');
      expect(r.stdout).not.toContain('command_timeout');
      // The cycle's alert stage and memory ran: both files are whole JSON documents, and the
      // SMA's alert is still there (an interrupted cycle recovers nothing it did not check).
      expect(readFileSync(state, 'utf8')).toContain('sma1');
      expect(() => JSON.parse(readFileSync(state, 'utf8'))).not.toThrow();
      expect(() => JSON.parse(readFileSync(join(dir, `${signal}.memory.json`), 'utf8'))).not.toThrow();
    } finally {
      world.get('esa1').ssh.setFault('none');
      world.get('sma1').ssh.setFault('none');
    }
  });
});

describe('cpq-monitor check, signalled while a probe hangs', () => {
  it('stops as on SIGTERM when its parent is killed (npx does not forward signals to its child)', async () => {
    world.get('esa1').ssh.setFault('hang_in_command');
    const lines = world.get('esa1').ssh.record.lines;
    const state = join(dir, 'orphan.json');
    try {
      const before = lines.length;
      // A wrapper that starts the command as its child and forwards nothing, as npx does.
      const { child: wrapper, done } = startCpqMonitor(
        ['check', '--inventory', inventoryFile, '--state', state, '--emf', join(dir, 'm.jsonl')],
        {
          env: { CPQ_LAB_PASSWORD: PASSWORD },
          node: [
            '-e',
            'require("node:child_process").spawn(process.execPath, process.argv.slice(1), { stdio: "inherit" }); setInterval(() => {}, 1000);',
          ],
        },
      );
      // The run ends when its pipes close, which the command (the wrapper's child) holds until it ends.
      while (lines.length === before) await new Promise((r) => setTimeout(r, 50));
      wrapper.kill('SIGTERM');
      const r = await done;
      expect(r.stdout).toContain('ssh esa1 (interrupted)');
      expect(r.stdout).not.toContain('command_timeout');
      // It stopped the way SIGTERM stops it: the cycle's memory was still saved, whole.
      expect(() => JSON.parse(readFileSync(join(dir, 'orphan.memory.json'), 'utf8'))).not.toThrow();
    } finally {
      world.get('esa1').ssh.setFault('none');
    }
  });

  it('SIGINT ends the hung probe at once (no finding, no page for it), says it was interrupted, exits 130', async () => {
    // The SMA's listener accepts and never greets; the probe would wait its own timeout (a minute,
    // the most the inventory allows) and the cycle far longer: only the interrupt ends it in time.
    const sma = world.get('sma1').listener;
    await sma.setFault('silent');
    const before = sma.accepted;
    const file = join(dir, 'slow-probes.json');
    writeFileSync(
      file,
      JSON.stringify({ ...world.inventory, monitor: { ...world.inventory.monitor, probeTimeoutMs: 60_000 } }),
    );
    try {
      const { child, done } = startCpqMonitor(
        [
          'check',
          '--inventory',
          file,
          '--cycle',
          'probe',
          '--timeout',
          '3600000',
          '--state',
          join(dir, 'hung-probe.json'),
          '--emf',
          join(dir, 'hung-probe.jsonl'),
        ],
        { env: { CPQ_LAB_PASSWORD: PASSWORD } },
      );
      while (sma.accepted === before) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).toBe(130);
      expect(r.stdout).toMatch(/probe sma1[^,\n]* \(interrupted\)/);
      // No finding and no page about the SMA's listener: an interrupted probe says nothing about it.
      expect(r.stdout).not.toMatch(/banner_timeout/);
      expect(r.stdout).not.toMatch(/Alert:.*sma1/);
      expect(() => JSON.parse(readFileSync(join(dir, 'hung-probe.memory.json'), 'utf8'))).not.toThrow();
    } finally {
      await sma.setFault('none');
    }
  });
});

describe('cpq-monitor check, default state file', () => {
  it('keeps each inventory its own state beside it and says where', async () => {
    const other = join(dir, 'other');
    mkdirSync(other, { recursive: true });
    const r = await cpqMonitor(
      ['check', '--inventory', inventoryFile, '--cycle', 'probe', '--emf', join(dir, 'e.jsonl')],
      {
        env: { CPQ_LAB_PASSWORD: PASSWORD },
        cwd: other,
      },
    );
    const expected = join(dir, '.cpq-monitor', 'fleet-a.json.state.json');
    expect(r.stdout).toContain(`alert state: ${expected}`);
    // A cycle without alerts writes its memory (the state file comes with the first alert).
    expect(existsSync(join(dir, '.cpq-monitor', 'fleet-a.json.state.memory.json'))).toBe(true);
    // Nothing was written relative to the working directory.
    expect(existsSync(join(other, '.cpq-monitor', 'state.json'))).toBe(false);
  });
});
