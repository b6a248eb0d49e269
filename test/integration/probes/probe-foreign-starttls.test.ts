/**
 * The probe against a STARTTLS server written here with Node's `net` and `tls` (not the lab), with
 * its own ECDSA PKI (root, intermediate, leaf; the server sends leaf + intermediate): keeps the
 * probe honest about what it expects from a peer.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { probeListener } from '../../../shared/probes';

let server: Server;
let port: number;
let fingerprint: string;
let certPem: string;
let rootPem: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const gen = () => webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const [rootKeys, midKeys, keys] = await Promise.all([gen(), gen(), gen()]);
  const now = Date.now();
  // A chain like a corporate PKI: root -> intermediate -> listener; the server sends leaf + intermediate.
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Foreign Root',
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    keys: rootKeys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  /** A certificate valid from a day ago for `days` days, issued with `signingKey`. */
  const issue = (
    serialNumber: string,
    subject: string,
    issuer: string,
    days: number,
    publicKey: webcrypto.CryptoKey,
    signingKey: webcrypto.CryptoKey,
    extension: x509.Extension,
  ) =>
    x509.X509CertificateGenerator.create({
      serialNumber,
      subject,
      issuer,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + days * 86_400_000),
      publicKey,
      signingKey,
      signingAlgorithm: alg,
      extensions: [extension],
    });
  const mid = await issue(
    '02',
    'CN=Foreign Intermediate',
    'CN=Foreign Root',
    365,
    midKeys.publicKey,
    rootKeys.privateKey,
    new x509.BasicConstraintsExtension(true, 0, true),
  );
  const cert = await issue(
    '2a',
    'CN=mx.foreign.test',
    'CN=Foreign Intermediate',
    10,
    keys.publicKey,
    midKeys.privateKey,
    new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'mx.foreign.test' }]),
  );
  certPem = cert.toString('pem');
  rootPem = root.toString('pem');
  fingerprint = Buffer.from(await cert.getThumbprint('SHA-256'))
    .toString('hex')
    .toUpperCase()
    .match(/../g)!
    .join(':');
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const secureContext = createSecureContext({
    cert: `${certPem}\n${mid.toString('pem')}`,
    key: keyPem,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
  });

  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('220-mx.foreign.test ESMTP\r\n220 written in the test\r\n');
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim().toUpperCase();
        buf = buf.slice(nl + 1);
        if (line.startsWith('EHLO '))
          socket.write('250-mx.foreign.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
        else if (line === 'STARTTLS') {
          socket.off('data', onData);
          socket.write('220 2.0.0 ready\r\n', () => {
            const secure = new TLSSocket(socket, { isServer: true, secureContext });
            secure.on('error', () => socket.destroy());
            let inner = '';
            secure.on('data', (c: Buffer) => {
              inner += c.toString('latin1');
              if (inner.includes('QUIT')) secure.end('221 2.0.0 bye\r\n');
            });
          });
          return;
        } else socket.write('502 5.5.2 no\r\n');
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

it('negotiates TLS 1.2 with ECDSA and reports the certificate as seen', async () => {
  const r = await probeListener({ host: '127.0.0.1', port, timeoutMs: 3000 });
  expect(r).toMatchObject({ status: 'warning', code: 'ok', warnings: ['cert_expiring'] });
  expect(r.banner).toBe('220-mx.foreign.test ESMTP\n220 written in the test');
  expect(r.extensions).toEqual(['PIPELINING', 'STARTTLS']);
  expect(r.tls).toMatchObject({ protocol: 'TLSv1.2', anonymous: false, verified: false });
  expect(r.tls?.cipher).toMatch(/^ECDHE-ECDSA-/);
  expect(r.tls?.certificate).toMatchObject({
    subject: 'CN=mx.foreign.test',
    issuer: 'CN=Foreign Intermediate',
    subjectAltNames: ['DNS:mx.foreign.test'],
    fingerprint256: fingerprint,
  });
  expect(r.tls?.certificate?.daysRemaining).toBeLessThanOrEqual(10);
});

it('verifies a pin, and the chain through the intermediate the server sent up to the root CA', async () => {
  const pinned = await probeListener({ host: '127.0.0.1', port, pins: [fingerprint], expiryWarnDays: 0 });
  expect(pinned).toMatchObject({ status: 'ok', code: 'ok' });
  expect(pinned.tls?.verified).toBe(true);
  const byCa = await probeListener({
    host: '127.0.0.1',
    port,
    ca: rootPem,
    servername: 'mx.foreign.test',
    expiryWarnDays: 0,
  });
  expect(byCa).toMatchObject({ status: 'ok', code: 'ok' });
  expect(byCa.tls).toMatchObject({ verified: true, verifyError: null });
});

it('cert_untrusted when the CA is right but the certificate does not name the address probed', async () => {
  const r = await probeListener({ host: '127.0.0.1', port, ca: rootPem });
  expect(r).toMatchObject({ code: 'cert_untrusted', phase: 'tls' });
  expect(r.tls?.verifyError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  expect(r.message).toContain('127.0.0.1');
});

it('fails the handshake when the probe insists on TLS 1.3', async () => {
  const r = await probeListener({ host: '127.0.0.1', port, minVersion: 'TLSv1.3' });
  expect(r).toMatchObject({ code: 'tls_handshake_failed', phase: 'tls' });
});
