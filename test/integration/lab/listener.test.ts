/** The lab listener speaks real SMTP and TLS on loopback and keeps its fault and port promises. */
import { X509Certificate } from 'node:crypto';
import { type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  createLabCertificates,
  isLoopbackHost,
  type LabCertificates,
  type LabListener,
  startLabListener,
} from '../../../lab';
import { ConfigError } from '../../../shared/errors';

let certs: LabCertificates;
const open: LabListener[] = [];
const clients = new Set<Socket>();

beforeAll(async () => {
  certs = await createLabCertificates({ hostname: 'esa1.lab.example' });
});

afterEach(async () => {
  for (const c of clients) c.destroy();
  clients.clear();
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function lab(opts: Parameters<typeof startLabListener>[0] = {}): Promise<LabListener> {
  const l = await startLabListener({ certs, ...opts });
  open.push(l);
  return l;
}

/** A line-oriented client: `next()` resolves with the next complete reply (all its lines). */
function client(socket: Socket | TLSSocket) {
  clients.add(socket);
  socket.on('error', () => {});
  let buf = '';
  const replies: string[][] = [];
  let current: string[] = [];
  const waiters: Array<(r: string[]) => void> = [];
  let closed = false;
  const closeWaiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    for (let nl = buf.indexOf('\r\n'); nl !== -1; nl = buf.indexOf('\r\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 2);
      current.push(line);
      if (line[3] !== '-') {
        const w = waiters.shift();
        if (w) w(current);
        else replies.push(current);
        current = [];
      }
    }
  };
  socket.on('data', onData);
  socket.on('close', () => {
    closed = true;
    for (const w of closeWaiters.splice(0)) w();
  });
  return {
    next: () =>
      new Promise<string[]>((resolve) => {
        const r = replies.shift();
        if (r) resolve(r);
        else waiters.push(resolve);
      }),
    send: (line: string) => socket.write(`${line}\r\n`),
    closed: () => new Promise<void>((resolve) => (closed ? resolve() : closeWaiters.push(resolve))),
    detach: () => socket.off('data', onData),
  };
}

async function connectTo(l: LabListener): Promise<Socket> {
  const socket = tcpConnect({ host: l.host, port: l.port });
  clients.add(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('SMTP dialogue', () => {
  it('greets, lists STARTTLS, refuses mail in clear, answers unknown commands, says goodbye', async () => {
    const l = await lab();
    const c = client(await connectTo(l));
    expect(await c.next()).toEqual(['220 esa1.lab.example ESMTP cpq-monitor lab']);
    c.send('EHLO tester.example');
    expect(await c.next()).toEqual([
      '250-esa1.lab.example',
      '250-8BITMIME',
      '250-SIZE 10485760',
      '250 STARTTLS',
    ]);
    c.send('MAIL FROM:<a@b.example>');
    expect((await c.next())[0]).toMatch(/^530 /);
    c.send('VRFY root');
    expect((await c.next())[0]).toMatch(/^500 /);
    c.send('NOOP');
    c.send('QUIT');
    expect(await c.next()).toEqual(['250 2.0.0 OK']);
    expect((await c.next())[0]).toMatch(/^221 /);
    await c.closed();
  });

  it('upgrades to real TLS with the healthy certificate, then refuses mail over TLS too', async () => {
    const l = await lab();
    const raw = await connectTo(l);
    const c = client(raw);
    await c.next();
    c.send('STARTTLS');
    expect((await c.next())[0]).toMatch(/^220 /);
    c.detach();
    const secure = tlsConnect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((resolve) => secure.once('secureConnect', resolve));
    expect(secure.getPeerCertificate().fingerprint256).toBe(l.fingerprint256);
    const s = client(secure);
    s.send('EHLO tester.example');
    expect(await s.next()).toEqual(['250-esa1.lab.example', '250-8BITMIME', '250 SIZE 10485760']);
    s.send('MAIL FROM:<a@b.example>');
    expect((await s.next())[0]).toMatch(/^554 /);
    s.send('STARTTLS');
    expect((await s.next())[0]).toMatch(/^503 /);
    s.send('QUIT');
    expect((await s.next())[0]).toMatch(/^221 /);
    await s.closed();
  });

  it('keeps replies in order under latency', async () => {
    const l = await lab({ latencyMs: 5 });
    const c = client(await connectTo(l));
    await c.next();
    c.send('NOOP');
    l.setLatency(0);
    c.send('BOGUS');
    expect((await c.next())[0]).toMatch(/^250 /);
    expect((await c.next())[0]).toMatch(/^500 /);
  });

  it('closes an over-long line', async () => {
    const l = await lab();
    const raw = await connectTo(l);
    const c = client(raw);
    await c.next();
    raw.write('X'.repeat(10_000));
    expect((await c.next())[0]).toMatch(/^500 5\.5\.2/);
    await c.closed();
  });
});

describe('faults and lifecycle', () => {
  it('refused stops listening; leaving it listens again on the same port', async () => {
    const l = await lab();
    const port = l.port;
    await l.setFault('refused');
    expect(l.fault).toBe('refused');
    await expect(connectTo(l)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await l.setFault('no_starttls');
    expect(l.port).toBe(port);
    const c = client(await connectTo(l));
    await c.next();
    c.send('EHLO x');
    expect((await c.next()).join('\n')).not.toContain('STARTTLS');
  });

  it('close() ends open sessions', async () => {
    const l = await lab({ fault: 'silent' });
    const c = client(await connectTo(l));
    const closed = c.closed();
    await l.close();
    await closed;
  });

  it('listens on loopback only', async () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.9.9.9')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    await expect(startLabListener({ certs, host: '0.0.0.0' })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('lab certificates', () => {
  it('are RSA, signed by the lab CA, with the promised dates and names', () => {
    const ca = new X509Certificate(certs.ca.certPem);
    expect(ca.ca).toBe(true);
    const now = Date.now();
    for (const which of ['healthy', 'expired', 'notYetValid', 'wrong'] as const) {
      const cert = new X509Certificate(certs[which].certPem);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
      expect(cert.subjectAltName).toContain('DNS:esa1.lab.example');
      expect(cert.fingerprint256).toBe(certs[which].fingerprint256);
    }
    expect(certs.healthy.notBefore.getTime()).toBeLessThan(now);
    expect(certs.healthy.notAfter.getTime()).toBeGreaterThan(now);
    expect(certs.expired.notAfter.getTime()).toBeLessThan(now);
    expect(certs.notYetValid.notBefore.getTime()).toBeGreaterThan(now);
  });

  it('the wrong certificate has another key, the expired one the same key', () => {
    const key = (pem: string) =>
      new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    expect(key(certs.wrong.certPem)).not.toBe(key(certs.healthy.certPem));
    expect(key(certs.expired.certPem)).toBe(key(certs.healthy.certPem));
    expect(certs.wrong.fingerprint256).not.toBe(certs.healthy.fingerprint256);
  });
});
