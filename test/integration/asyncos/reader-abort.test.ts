/**
 * An aborted SSH read ends at once, whatever its own timeouts: against a loopback port that
 * accepts TCP and never speaks SSH, and against the lab CLI when it hangs after login or in a
 * command. A read that does not end on abort runs into jest's timeout and fails the test.
 */
import { getEventListeners } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createApplianceState } from '../../../lab/appliance-state';
import type { SshFault } from '../../../lab/ssh-faults';
import { type LabSshServer, startLabSshServer } from '../../../lab/ssh-server';
import { readAppliance } from '../../../shared/asyncos/reader';
import type { ReadOptions } from '../../../shared/asyncos/types';

const PASSWORD = 'lab-abort-pw-3c9e';
const NEVER_MS = 10 * 60_000;

let mute: Server;
let mutePort: number;
let muteAccepted = 0;
const sockets = new Set<Socket>();
let lab: LabSshServer;

beforeAll(async () => {
  mute = createServer((s) => {
    muteAccepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  mutePort = (mute.address() as { port: number }).port;
  lab = await startLabSshServer({
    state: createApplianceState({ role: 'esa', hostname: 'esa1.example.com' }),
    password: PASSWORD,
  });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => mute.close(() => r()));
  await lab.close();
});

function opts(over: Partial<ReadOptions>): ReadOptions {
  return {
    host: '127.0.0.1',
    port: lab.port,
    username: 'admin',
    auth: { password: PASSWORD },
    hostKeys: [lab.fingerprint],
    commands: [{ name: 'status' }, { name: 'tophosts' }],
    timeoutMs: NEVER_MS,
    commandTimeoutMs: NEVER_MS,
    ...over,
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('readAppliance with an abort signal', () => {
  it('ends on a port that accepts TCP and never speaks SSH, says it was interrupted, and lets go of the signal', async () => {
    const controller = new AbortController();
    const before = muteAccepted;
    const read = readAppliance(opts({ port: mutePort, signal: controller.signal }));
    await until(() => muteAccepted > before);
    controller.abort();
    const r = await read;
    expect(r).toMatchObject({ status: 'critical', code: 'session_failed' });
    expect(r.message).toMatch(/interrupted/);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it.each([
    ['hang_after_login', () => lab.record.auth.some((a) => a.accepted)],
    ['hang_in_command', () => lab.record.lines.length > 0],
  ] as Array<[SshFault, () => boolean]>)('ends when the lab CLI hangs (%s)', async (fault, started) => {
    lab.setFault(fault);
    lab.record.auth.length = 0;
    lab.record.lines.length = 0;
    try {
      const controller = new AbortController();
      const read = readAppliance(opts({ signal: controller.signal }));
      await until(started);
      controller.abort();
      const r = await read;
      expect(r).toMatchObject({ status: 'critical', code: 'session_failed' });
      expect(r.message).toMatch(/interrupted/);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      lab.setFault('none');
    }
  });

  it('an already aborted signal connects to nothing', async () => {
    const before = muteAccepted;
    const r = await readAppliance(opts({ port: mutePort, signal: AbortSignal.abort() }));
    expect(r.message).toMatch(/interrupted/);
    await new Promise((res) => setImmediate(res));
    expect(muteAccepted).toBe(before);
  });

  it('a signal that is never aborted changes nothing and is let go of', async () => {
    const controller = new AbortController();
    const r = await readAppliance(
      opts({ timeoutMs: 8000, commandTimeoutMs: 4000, signal: controller.signal }),
    );
    expect(r.code).toBe('ok');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
