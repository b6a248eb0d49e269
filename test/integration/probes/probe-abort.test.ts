/**
 * An aborted probe ends at once, whatever its own timeouts: against a loopback listener that
 * accepts TCP and never greets, with timeouts no test would wait for. A probe that does not end
 * on abort runs into jest's timeout and fails the test.
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { probeListener } from '../../../shared/probes/probe';

const NEVER_MS = 10 * 60_000;

let server: Server;
let port: number;
const sockets = new Set<Socket>();
let accepted = 0;

beforeAll(async () => {
  server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

async function untilAccepted(n: number): Promise<void> {
  while (accepted < n) await new Promise((r) => setTimeout(r, 10));
}

describe('probeListener with an abort signal', () => {
  it('ends while waiting for a greeting that never comes, says it was interrupted, and lets go of the signal', async () => {
    const controller = new AbortController();
    const before = accepted;
    const probe = probeListener({
      host: '127.0.0.1',
      port,
      timeoutMs: NEVER_MS,
      phaseTimeoutMs: NEVER_MS,
      signal: controller.signal,
    });
    await untilAccepted(before + 1);
    controller.abort();
    const r = await probe;
    expect(r).toMatchObject({ status: 'critical', phase: 'banner' });
    expect(r.message).toMatch(/interrupted/);
    expect(r.message).toMatch(/says nothing about the listener/);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('many probes on one signal all end on abort, with no listener left on it', async () => {
    const controller = new AbortController();
    // 25 probes listen on this one signal at once on purpose (the cycle gives each item its own):
    // Node's leak warning past 10 listeners would be noise here; the end asserts none is left.
    setMaxListeners(25, controller.signal);
    const before = accepted;
    const probes = Array.from({ length: 25 }, () =>
      probeListener({
        host: '127.0.0.1',
        port,
        timeoutMs: NEVER_MS,
        phaseTimeoutMs: NEVER_MS,
        signal: controller.signal,
      }),
    );
    await untilAccepted(before + 25);
    controller.abort();
    const results = await Promise.all(probes);
    expect(results.map((r) => r.message.includes('interrupted'))).toEqual(results.map(() => true));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal starts nothing', async () => {
    const before = accepted;
    const r = await probeListener({ host: '127.0.0.1', port, signal: AbortSignal.abort() });
    expect(r.message).toMatch(/interrupted/);
    // Give a connection that should not exist the time to arrive.
    await new Promise((res) => setImmediate(res));
    expect(accepted).toBe(before);
  });

  it('a signal that is never aborted changes nothing and is let go of', async () => {
    const controller = new AbortController();
    const r = await probeListener({ host: '127.0.0.1', port, timeoutMs: 600, signal: controller.signal });
    expect(r.code).toBe('banner_timeout');
    expect(r.message).not.toMatch(/interrupted/);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
