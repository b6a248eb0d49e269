/** `cpq-monitor silence` and `ack` as an operator types them, against a local state file. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '../../../bin/cpq-monitor.js');
const LAB = join(__dirname, '../../../config/lab.yaml');

function cpqMonitor(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
    // Generous: each run starts Node and tsx, which a loaded machine makes slow.
    timeout: 90_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-silence-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cpq-monitor silence and ack', () => {
  it('adds, lists and removes a silence in the state file; a silence longer than the maximum exits 3 naming it', () => {
    const state = join(dir, 'state.json');
    const add = cpqMonitor([
      'silence',
      'add',
      '--state',
      state,
      '--inventory',
      LAB,
      '--appliance',
      'esa1',
      '--check',
      'cpq_queue_backlog',
      '--for',
      '2h',
      '--reason',
      'queue drain CHG-3',
      '--author',
      'dana',
      '--json',
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const silence = JSON.parse(add.stdout) as { id: string; author: string };
    expect(silence.author).toBe('dana');

    const list = cpqMonitor(['silence', 'list', '--state', state, '--inventory', LAB, '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { mutes: Array<{ id: string }> }).mutes.map((m) => m.id)).toEqual([
      silence.id,
    ]);

    expect(cpqMonitor(['silence', 'remove', silence.id, '--state', state]).code).toBe(0);
    expect(cpqMonitor(['silence', 'list', '--state', state]).stdout).toMatch(/no silences/);

    const tooLong = cpqMonitor([
      'silence',
      'add',
      '--state',
      state,
      '--appliance',
      '*',
      '--for',
      '30d',
      '--reason',
      'x',
    ]);
    expect(tooLong.code).toBe(3);
    expect(tooLong.stderr).toMatch(/at most 7 days/);
  }, 600_000);

  it('refuses to acknowledge an alert with no open incident (exit 3)', () => {
    const r = cpqMonitor([
      'ack',
      'esa1/cpq_queue_backlog',
      '--state',
      join(dir, 'none.json'),
      '--reason',
      'x',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/has no open incident/);
  }, 120_000);
});
