/**
 * `cpq-monitor check` of the lab's SMA, whose showconfig asks the SMA's own mask question: every
 * command is read, `Y` is typed only at that question, and the outbound-cipher fault is found.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANONYMOUS_CIPHERS } from '../../../lab/appliance-state';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';
import { cpqMonitor } from '../../helpers/run-cli';

const LAB = join(__dirname, '../../../config/lab.yaml');
const PASSWORD = 'lab-sma-pw-6b1d';

let world: LabWorld;
let dir: string;
let inventoryFile: string;

beforeAll(async () => {
  world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'cpq-check-sma-'));
  inventoryFile = join(dir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(world.inventory));
});

afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

jest.setTimeout(60_000);

describe('cpq-monitor check of an SMA asking its mask question', () => {
  it('reads every command, types Y only there, and finds anonymous outbound ciphers', async () => {
    const sma = world.get('sma1');
    sma.setOutboundCiphers(ANONYMOUS_CIPHERS);
    sma.ssh.record.lines.length = 0;
    const run = await cpqMonitor(
      ['check', '--inventory', inventoryFile, '--json', '--state', join(dir, 'state.json')],
      { env: { CPQ_LAB_PASSWORD: PASSWORD } },
    );
    const doc = JSON.parse(run.stdout) as { findings: Array<{ id: string }> };
    const ids = doc.findings.map((f) => f.id);
    expect(ids).toContain('sma1/outbound_ciphers_allow_anonymous');
    expect(ids.filter((id) => id.startsWith('sma1/ssh_'))).toEqual([]);
    const lines = sma.ssh.record.lines;
    expect(lines.filter((l) => l === 'Y')).toHaveLength(1);
    expect(lines[lines.indexOf('showconfig') + 1]).toBe('Y');
    // Nothing else but allow-listed command lines, pager keys and operation-menu exits.
    expect(lines.filter((l) => l !== '' && l !== 'Y').every((l) => !/^[A-Za-z0-9]$/.test(l))).toBe(true);
  });

  it('a pending default-yes question in status costs only status, and the finding names both', async () => {
    const sma = world.get('sma1');
    sma.setOutboundCiphers(ANONYMOUS_CIPHERS);
    sma.ssh.setFault('yes_no_question', 'status');
    sma.ssh.record.questionAnswers.length = 0;
    try {
      const run = await cpqMonitor(
        ['check', '--inventory', inventoryFile, '--json', '--state', join(dir, 'state-question.json')],
        { env: { CPQ_LAB_PASSWORD: PASSWORD } },
      );
      const doc = JSON.parse(run.stdout) as {
        findings: Array<{ id: string; summary: string; cause?: string }>;
      };
      const incomplete = doc.findings.find((f) => f.id === 'sma1/ssh_read_incomplete');
      expect(incomplete?.summary).toBe(
        'sma1: SSH read incomplete: stopped at "Really commit and reboot? [Y]>" (status)',
      );
      expect(incomplete!.summary.length).toBeLessThanOrEqual(80);
      // The fingerprint the alert keys its "cause changed" update on.
      expect(incomplete!.cause).toBe('status=stopped at "Really commit and reboot? [Y]>"');
      // The commands after status were still read: the cipher fault is still found.
      expect(doc.findings.map((f) => f.id)).toContain('sma1/outbound_ciphers_allow_anonymous');
      expect(sma.ssh.record.questionAnswers).toEqual([]);
    } finally {
      sma.ssh.setFault('none');
    }
  });
});
