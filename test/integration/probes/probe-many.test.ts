/** probeMany: bounded concurrency, one result per target, in input order. */
import { createServer, type Server, type Socket } from 'node:net';
import { createLabCertificates, type LabListener, startLabListener } from '../../../lab';
import { probeMany } from '../../../shared/probes';

const listeners: LabListener[] = [];
let counting: Server;
let countingPort: number;
let inFlight = 0;
let maxInFlight = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  const certs = await createLabCertificates();
  for (const fault of ['none', 'refused', 'greeting_421', 'no_starttls'] as const) {
    listeners.push(await startLabListener({ certs, fault }));
  }
  // Greets late so connections overlap; counts how many are open at once.
  counting = createServer((socket) => {
    sockets.add(socket);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    // A probe is over once it has this reply, so it stops counting when the reply is written.
    const timer = setTimeout(() => {
      inFlight--;
      socket.end('554 5.3.2 busy\r\n');
    }, 20);
    socket.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
  countingPort = (counting.address() as { port: number }).port;
});

afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => counting.close(resolve));
});

it('returns one result per target in input order', async () => {
  const targets = [...listeners, ...listeners].map((l) => ({ host: l.host, port: l.port, timeoutMs: 3000 }));
  const seen: number[] = [];
  const results = await probeMany(targets, { concurrency: 3, onResult: (_r, i) => seen.push(i) });
  expect(results.map((r) => r.port)).toEqual(targets.map((t) => t.port));
  expect(results.map((r) => r.code)).toEqual([
    'ok',
    'connect_refused',
    'banner_rejected',
    'starttls_not_offered',
    'ok',
    'connect_refused',
    'banner_rejected',
    'starttls_not_offered',
  ]);
  expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

it('never has more probes in flight than the concurrency', async () => {
  maxInFlight = 0;
  const targets = Array.from({ length: 12 }, () => ({
    host: '127.0.0.1',
    port: countingPort,
    timeoutMs: 3000,
  }));
  const results = await probeMany(targets, { concurrency: 4 });
  expect(results.every((r) => r.code === 'banner_rejected')).toBe(true);
  expect(maxInFlight).toBeLessThanOrEqual(4);
  expect(maxInFlight).toBeGreaterThan(1);
});

it('handles an empty list', async () => {
  expect(await probeMany([])).toEqual([]);
});
