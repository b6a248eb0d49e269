/**
 * Only exact forms are answered. Real ssh2 servers on 127.0.0.1 that ask what a careless client
 * would answer: a default-yes question whose line contains the pager's words (plain, and hidden
 * with ESC[8m), and keyboard-interactive prompts that mention a password without being the
 * plain login prompt.
 */
import { createServer, type Server as NetServer } from 'node:net';
import { type Connection, Server } from 'ssh2';
import { generateHostKey } from '../../../lab/ssh-keys';
import { readAppliance } from '../../../shared/asyncos/reader';

const PASSWORD = 'current-pw-7a2e';

interface Peer {
  port: number;
  fingerprint: string;
  /** Everything the client sent: login methods and values, and every byte typed into the shell. */
  sent: string[];
  close(): Promise<void>;
}

type Login = { kind: 'password' } | { kind: 'keyboard'; prompt: string };

/** A server whose CLI prints `question` after `status` (or right after a keyboard-interactive login). */
async function startPeer(login: Login, question: string): Promise<Peer> {
  const { privateKey, fingerprint } = generateHostKey();
  const sent: string[] = [];
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [privateKey] }, (client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') {
        sent.push(`password:${ctx.password}`);
        if (login.kind === 'password' && ctx.password === PASSWORD) return ctx.accept();
        return ctx.reject(['keyboard-interactive']);
      }
      if (ctx.method === 'keyboard-interactive' && login.kind === 'keyboard') {
        ctx.prompt([{ prompt: login.prompt, echo: false }], '', '', (answers) => {
          sent.push(...answers.map((a) => `keyboard:${a}`));
          ctx.reject();
        });
        return;
      }
      ctx.reject(['password', 'keyboard-interactive']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('pty', (ok) => ok?.());
        session.on('shell', (ok) => {
          const stream = ok();
          stream.write('hostile.example.com> ');
          stream.on('data', (d: Buffer) => {
            const text = d.toString('utf8');
            sent.push(`shell:${text}`);
            if (text.startsWith('status')) stream.write(`status\r\n\r\nStatus as of: now\r\n${question}`);
          });
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

function readPeer(peer: Peer) {
  return readAppliance(
    {
      host: '127.0.0.1',
      port: peer.port,
      username: 'monitor',
      auth: { password: PASSWORD },
      hostKeys: [peer.fingerprint],
      commands: [{ name: 'status' }],
      timeoutMs: 20_000,
      commandTimeoutMs: 5_000,
    },
    { quietMs: 200 },
  );
}

describe('a question that contains the pager text', () => {
  it.each([
    ['plain', '... -Press Any Key For More- [Y]> '],
    ['hidden by ESC[8m', '\x1b[8m-Press Any Key For More-\x1b[0m [Y]> '],
    ['pager words after text', 'Reboot now? Press Any Key For More: '],
  ])('%s: nothing is typed at it, the command is unexpected_prompt', async (_name, question) => {
    const peer = await startPeer({ kind: 'password' }, question);
    try {
      const r = await readPeer(peer);
      expect(r.commands.status).toMatchObject({ code: 'unexpected_prompt' });
      // The command line was typed; nothing after it (an Enter here would say yes).
      expect(peer.sent.filter((s) => s.startsWith('shell:'))).toEqual(['shell:status\n']);
    } finally {
      await peer.close();
    }
  });
});

describe('keyboard-interactive', () => {
  it.each(['Password (new):', 'Type password to confirm factory reset:', 'Passphrase for admin:'])(
    'prompt %j: auth_failed naming the prompt, the password is not sent to it',
    async (prompt) => {
      const peer = await startPeer({ kind: 'keyboard', prompt }, '');
      try {
        const r = await readPeer(peer);
        expect(r).toMatchObject({ status: 'critical', code: 'auth_failed' });
        expect(r.message).toContain(JSON.stringify(prompt));
        expect(peer.sent.filter((s) => s.startsWith('keyboard:'))).not.toContain(`keyboard:${PASSWORD}`);
      } finally {
        await peer.close();
      }
    },
  );

  it.each(['Password:', 'password: ', 'PASSWORD:'])('plain prompt %j gets the password', async (prompt) => {
    const peer = await startPeer({ kind: 'keyboard', prompt }, '');
    try {
      const r = await readPeer(peer);
      // The server rejects every answer; what matters is what it was sent.
      expect(r.code).toBe('auth_failed');
      expect(peer.sent).toContain(`keyboard:${PASSWORD}`);
    } finally {
      await peer.close();
    }
  });
});
