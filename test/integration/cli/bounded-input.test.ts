/**
 * Operator-named files through the built command: a device, a FIFO or a huge list is refused at
 * once with a short message naming the file, never read until memory runs out.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort, cpqMonitor } from '../../helpers/run-cli';

describe('cpq-monitor check --inventory, bounded input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpq-bounded-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses /dev/zero as a character device, exit 3', async () => {
    const r = await cpqMonitor(['check', '--inventory', '/dev/zero', '--state', join(dir, 's.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('/dev/zero: invalid inventory:\n  - a character device, not a regular file');
    expect(r.stderr.length).toBeLessThan(1000);
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(dir, 'inventory.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await cpqMonitor(['check', '--inventory', fifo, '--state', join(dir, 's.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${fifo}: invalid inventory:\n  - a FIFO (named pipe), not a regular file`);
  });

  it('refuses 1.4 million aliased maintenance entries (7 MB) with a message of a few lines', async () => {
    const file = join(dir, 'maintenance.yaml');
    const entry =
      '&w { appliance: sma1, start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z", reason: x }';
    writeFileSync(
      file,
      `appliances:\n  - { name: sma1, role: sma, host: 127.0.0.1 }\nmaintenance:\n- ${entry}\n${'- *w\n'.repeat(1_400_000 - 1)}`,
    );
    const r = await cpqMonitor(['check', '--inventory', file, '--state', join(dir, 's.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('maintenance: 1,400,000 windows listed; an inventory may list at most 1,000');
    expect(r.stderr.length).toBeLessThan(1000);
  });

  it('probe --ca refuses /dev/zero before any connection', async () => {
    const r = await cpqMonitor(['probe', `127.0.0.1:${await closedPort()}`, '--ca', '/dev/zero']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      '--ca /dev/zero: cannot read the file (a character device, not a regular file',
    );
  });
});
