/**
 * A server that demands a password change ends the read at once as auth_failed, and no new
 * password (nor the current one at a "New password" prompt) is ever sent. Real ssh2 servers on
 * 127.0.0.1: the protocol's change request, keyboard-interactive, and the CLI's own question.
 */
import { createServer, type Server as NetServer } from 'node:net';
import { type Connection, Server } from 'ssh2';
import { generateHostKey } from '../../../lab/ssh-keys';
import { readAppliance } from '../../../shared/asyncos/reader';
import { demandsPasswordChange } from '../../../shared/asyncos/session';

const PASSWORD = 'current-pw-51d0';
type Mode = 'protocol' | 'keyboard' | 'shell';

interface Peer {
  port: number;
  fingerprint: string;
  /** Everything the client sent that could be a password: method and value. */
  sent: string[];
  close(): Promise<void>;
}

async function startPeer(mode: Mode): Promise<Peer> {
  const { privateKey, fingerprint } = generateHostKey();
  const sent: string[] = [];
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [privateKey] }, (client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') {
        sent.push(`password:${ctx.password}`);
        if (mode === 'protocol') {
          ctx.requestChange('Password expired, change it now', (newPassword) => {
            sent.push(`new:${newPassword}`);
            ctx.reject();
          });
          return;
        }
        if (mode === 'shell' && ctx.password === PASSWORD) return ctx.accept();
        return ctx.reject(['keyboard-interactive']);
      }
      if (ctx.method === 'keyboard-interactive') {
        ctx.prompt(
          [
            { prompt: 'Your password has expired. New password: ', echo: false },
            { prompt: 'Retype new password: ', echo: false },
          ],
          'Password change required',
          '',
          (answers) => {
            sent.push(...answers.map((a) => `keyboard:${a}`));
            ctx.reject();
          },
        );
        return;
      }
      ctx.reject(mode === 'shell' ? ['password'] : ['password', 'keyboard-interactive']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (ok) => ok?.());
        session.on('shell', (ok) => {
          const stream = ok();
          stream.write('\r\nYour password has expired and must be changed.\r\nEnter new password: ');
          stream.on('data', (d: Buffer) => sent.push(`shell:${d.toString('utf8')}`));
        });
      });
    });
  });
  const tcp: NetServer = createServer((socket) => {
    socket.on('error', () => {});
    server.injectSocket(socket);
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  return {
    port: (tcp.address() as { port: number }).port,
    fingerprint,
    sent,
    async close() {
      for (const c of clients) c.end();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

describe('a server demanding a password change', () => {
  it.each<Mode>(['protocol', 'keyboard', 'shell'])(
    '%s: auth_failed at once, no new password sent',
    async (mode) => {
      const peer = await startPeer(mode);
      try {
        const r = await readAppliance(
          {
            host: '127.0.0.1',
            port: peer.port,
            username: 'monitor',
            auth: { password: PASSWORD },
            hostKeys: [peer.fingerprint],
            commands: [{ name: 'status' }],
            timeoutMs: 20_000,
          },
          { quietMs: 200 },
        );
        expect(r).toMatchObject({ status: 'critical', code: 'auth_failed' });
        expect(r.message).toContain('the appliance demands a password change for monitor');
        // The login password went once (that is how the demand arrives); nothing after it.
        expect(peer.sent.filter((s) => !s.startsWith('password:'))).toEqual([]);
      } finally {
        await peer.close();
      }
    },
  );

  it('tells a change demand from an ordinary password prompt', () => {
    expect(
      ['Password: ', 'password for admin:', 'Enter passphrase for key:'].some(demandsPasswordChange),
    ).toBe(false);
    expect(
      ['New password: ', 'Retype new password: ', 'Your password has expired', 'Enter new password: '].every(
        demandsPasswordChange,
      ),
    ).toBe(true);
  });
});
