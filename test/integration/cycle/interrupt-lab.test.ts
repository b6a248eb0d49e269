/**
 * A cycle interrupted (SIGINT/SIGTERM in the CLI) while a probe or an SSH read hangs: the hung
 * work ends at once, is listed as interrupted, raises no finding and no page (an interrupted probe
 * says nothing about the appliance), and the alert and memory stages still run. Timeouts are set
 * far beyond jest's: a cycle that waits for them fails the test by timing out.
 */
import { getEventListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialResolver } from '../../../shared/cycle/credentials';
import { type CycleKind, runCycle } from '../../../shared/cycle/run';
import { type LabCycle, startLabCycle } from '../../helpers/lab-cycle';

const PASSWORD = 'lab-interrupt-pw-8a2f';

let lab: LabCycle;

beforeEach(async () => {
  lab = await startLabCycle(PASSWORD);
});

afterEach(async () => {
  await lab.close();
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

/** Runs a cycle with timeouts no test waits for, and aborts it once `inFlight` is true. */
async function interruptedCycle(kind: CycleKind, inFlight: () => boolean) {
  const inventory = {
    ...lab.inventory,
    monitor: { ...lab.inventory.monitor, probeTimeoutMs: 60_000, sshTimeoutMs: 300_000 },
  };
  const controller = new AbortController();
  const cycle = runCycle(
    { inventory, kind, deadline: Date.now() + 60 * 60_000, signal: controller.signal },
    { ...lab.deps, credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }) },
  );
  await until(inFlight);
  controller.abort();
  return cycle;
}

describe('runCycle interrupted while work hangs', () => {
  it('a probe waiting for a greeting that never comes is interrupted, not judged', async () => {
    const sma = lab.world.get('sma1').listener;
    await sma.setFault('silent');
    const r = await interruptedCycle('probe', () => sma.accepted > 0);
    const ofSma = r.skipped.filter((s) => s.startsWith('probe sma1'));
    expect(ofSma.length).toBeGreaterThan(0);
    for (const s of ofSma) expect(s).toMatch(/\(interrupted\)$/);
    expect(r.listener.filter((o) => o.appliance === 'sma1')).toEqual([]);
    expect(r.findings.filter((f) => f.id.includes('sma1'))).toEqual([]);
    expect(lab.pages.take()).not.toContain('sma1');
    // The alert and memory stages ran.
    expect(r.alerts.error).toBeUndefined();
    const memory = join(lab.dir, 'memory.json');
    expect(existsSync(memory)).toBe(true);
    expect(() => JSON.parse(readFileSync(memory, 'utf8'))).not.toThrow();
  });

  it('an SSH read hung in a command is interrupted, not judged', async () => {
    const ssh = lab.world.get('esa1').ssh;
    ssh.setFault('hang_in_command');
    const r = await interruptedCycle('ssh', () => ssh.record.lines.length > 0);
    expect(r.skipped).toContain('ssh esa1 (interrupted)');
    expect(r.config.filter((o) => o.appliance === 'esa1')).toEqual([]);
    expect(r.findings.filter((f) => f.appliance === 'esa1')).toEqual([]);
    expect(lab.pages.take()).not.toContain('esa1');
    expect(r.alerts.error).toBeUndefined();
    expect(existsSync(join(lab.dir, 'memory.json'))).toBe(true);
  });

  it('a cycle that is not interrupted leaves no listener on the signal (check --watch reuses it)', async () => {
    const controller = new AbortController();
    const deps = { ...lab.deps, credentials: credentialResolver({ env: { CPQ_LAB_PASSWORD: PASSWORD } }) };
    for (let i = 0; i < 2; i++) {
      const r = await runCycle(
        { inventory: lab.inventory, kind: 'full', deadline: Date.now() + 25_000, signal: controller.signal },
        deps,
      );
      expect(r.skipped).toEqual([]);
      expect(r.findings).toEqual([]);
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
