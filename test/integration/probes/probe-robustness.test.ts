/**
 * The probe against hostile or broken peers written here with `net` on 127.0.0.1: over-long
 * lines, early closes, garbage instead of TLS. Each gets its own code; nothing leaks.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { probeListener } from '../../../shared/probes';
import type { ProbeResult } from '../../../shared/probes/types';

const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback server running `script` for each connection; returns its port. */
async function peer(script: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    script(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Answers SMTP lines with `answer(line)`; null closes the connection. */
function smtp(greeting: string, answer: (line: string, socket: Socket) => string | null | undefined) {
  return (socket: Socket) => {
    socket.write(greeting);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const out = answer(line, socket);
        if (out === null) socket.end();
        else if (out !== undefined) socket.write(out);
      }
    });
  };
}

const EHLO_OK = '250-peer.test\r\n250 STARTTLS\r\n';

function run(port: number, extra = {}): Promise<ProbeResult> {
  return probeListener({ host: '127.0.0.1', port, timeoutMs: 5000, phaseTimeoutMs: 1500, ...extra });
}

it('a 1 MB greeting line: protocol_error once the line cap is passed', async () => {
  const port = await peer((s) => s.write(`220 ${'x'.repeat(1024 * 1024)}\r\n`));
  const r = await run(port);
  expect(r).toMatchObject({ status: 'critical', code: 'protocol_error', phase: 'banner' });
  expect(r.message).toContain('longer than 4096 bytes');
});

it('the line cap is configurable', async () => {
  const port = await peer((s) => s.write(`220 ${'x'.repeat(200)}\r\n`));
  expect(await run(port, { maxLineBytes: 100 })).toMatchObject({ code: 'protocol_error' });
});

it('accepts a multi-line 220 greeting', async () => {
  const port = await peer(
    smtp('220-peer.test first line\r\n220-second\r\n220 ready\r\n', (line) =>
      line.startsWith('EHLO') ? '250 peer.test\r\n' : null,
    ),
  );
  const r = await run(port);
  expect(r.banner).toBe('220-peer.test first line\n220-second\n220 ready');
  expect(r.code).toBe('starttls_not_offered');
});

it('a close in the middle of the greeting: protocol_error', async () => {
  const port = await peer((s) => s.end('220-half a greeting\r\n'));
  const r = await run(port);
  expect(r).toMatchObject({ code: 'protocol_error', phase: 'banner' });
  expect(r.message).toContain('closed the connection');
});

it('a close after EHLO: protocol_error in the ehlo phase', async () => {
  const port = await peer(smtp('220 peer.test\r\n', () => null));
  expect(await run(port)).toMatchObject({ code: 'protocol_error', phase: 'ehlo' });
});

it('EHLO refused: ehlo_rejected with the reply', async () => {
  const port = await peer(smtp('220 peer.test\r\n', () => '550 5.7.1 Access denied\r\n'));
  const r = await run(port);
  expect(r).toMatchObject({ status: 'critical', code: 'ehlo_rejected', phase: 'ehlo' });
  expect(r.message).toContain('550');
});

it('no reply to STARTTLS: protocol_error when its phase deadline passes', async () => {
  const port = await peer(
    smtp('220 peer.test\r\n', (line) => (line.startsWith('EHLO') ? EHLO_OK : undefined)),
  );
  const r = await run(port);
  expect(r).toMatchObject({ code: 'protocol_error', phase: 'starttls' });
  expect(r.message).toContain('STARTTLS reply');
});

it('garbage instead of TLS after 220 to STARTTLS: tls_handshake_failed', async () => {
  const port = await peer(
    smtp('220 peer.test\r\n', (line, socket) => {
      if (line.startsWith('EHLO')) return EHLO_OK;
      if (line === 'STARTTLS') {
        socket.write('220 go ahead\r\n');
        // The next bytes are the ClientHello; answer them with text.
        socket.removeAllListeners('data');
        socket.once('data', () => socket.write('this is not a TLS record at all\r\n'.repeat(20)));
      }
      return undefined;
    }),
  );
  const r = await run(port);
  expect(r).toMatchObject({ status: 'critical', code: 'tls_handshake_failed', phase: 'tls' });
});

it('a peer that goes quiet mid-handshake: tls_handshake_failed at the deadline', async () => {
  const port = await peer(
    smtp('220 peer.test\r\n', (line, socket) => {
      if (line.startsWith('EHLO')) return EHLO_OK;
      if (line === 'STARTTLS') {
        socket.removeAllListeners('data');
        socket.on('data', () => {});
        return '220 go ahead\r\n';
      }
      return undefined;
    }),
  );
  const r = await run(port);
  expect(r).toMatchObject({ code: 'tls_handshake_failed', phase: 'tls' });
  expect(r.message).toContain('did not complete');
});

it('bytes sent between the 220 to STARTTLS and the handshake: protocol_error (STARTTLS injection)', async () => {
  const port = await peer(
    smtp('220 peer.test\r\n', (line) => {
      if (line.startsWith('EHLO')) return EHLO_OK;
      if (line === 'STARTTLS') return '220 go ahead\r\n250 injected\r\n';
      return undefined;
    }),
  );
  const r = await run(port);
  expect(r).toMatchObject({ code: 'protocol_error', phase: 'starttls' });
});

it('a listener whose accept queue is full (SYNs dropped, as behind a filtering firewall): connect_timeout', async () => {
  // A child process listens with a backlog of 1 and then blocks its event loop, so the kernel
  // completes two handshakes into the accept queue and silently drops every later SYN.
  const child = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,30000)})",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const fillers: Socket[] = [];
  try {
    const port = await new Promise<number>((resolve) =>
      child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    let connected = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 4; i++) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => {});
        s.once('connect', () => {
          if (++connected === 2) resolve();
        });
        fillers.push(s);
      }
    });
    const r = await run(port, { phaseTimeoutMs: 300 });
    expect(r).toMatchObject({ status: 'critical', code: 'connect_timeout', phase: 'connect', banner: null });
  } finally {
    for (const s of fillers) s.destroy();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
});

it('leaves no timer or socket behind, whatever the failure', async () => {
  const silent = await peer(() => {});
  const closing = await peer((s) => s.destroy());
  const count = (type: string) => process.getActiveResourcesInfo().filter((t) => t === type).length;
  const timersBefore = count('Timeout');
  const results = await Promise.all([run(silent), run(closing), run(silent, { timeoutMs: 100 })]);
  expect(results.map((r) => r.code)).toEqual(['banner_timeout', 'protocol_error', 'banner_timeout']);
  // Unrelated timers (Jest's own) may end meanwhile, so no more than before, rather than equal.
  expect(count('Timeout')).toBeLessThanOrEqual(timersBefore);
  // Client sockets are destroyed by the probe; handles close a few turns of the loop later. A
  // socket the probe forgot would stay open for good, so a bounded wait tells the two apart.
  for (const s of sockets) s.destroy();
  for (let turn = 0; turn < 100 && count('TCPSocketWrap') > 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(count('TCPSocketWrap')).toBe(0);
});
