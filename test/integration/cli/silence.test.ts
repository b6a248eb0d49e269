/** `cpq-monitor silence` and `ack` as an operator types them, against a local state file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpqMonitor } from '../../helpers/run-cli';

const LAB = join(__dirname, '../../../config/lab.yaml');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-silence-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cpq-monitor silence and ack', () => {
  it('adds, lists and removes a silence in the state file; a silence longer than the maximum exits 3 naming it', async () => {
    const state = join(dir, 'state.json');
    const add = await cpqMonitor([
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

    const list = await cpqMonitor(['silence', 'list', '--state', state, '--inventory', LAB, '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { mutes: Array<{ id: string }> }).mutes.map((m) => m.id)).toEqual([
      silence.id,
    ]);

    expect((await cpqMonitor(['silence', 'remove', silence.id, '--state', state])).code).toBe(0);
    expect((await cpqMonitor(['silence', 'list', '--state', state])).stdout).toMatch(/no silences/);

    const tooLong = await cpqMonitor([
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

  it('refuses to acknowledge an alert with no open incident (exit 3)', async () => {
    const r = await cpqMonitor([
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
