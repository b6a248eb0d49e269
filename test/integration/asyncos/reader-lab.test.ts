/**
 * The reader against the lab's simulated AsyncOS CLI over real SSH on 127.0.0.1: every result
 * code, the read-only guarantee, and the consistency of one appliance's SSH and CPQ views.
 */
import { createServer, type Server } from 'node:net';
import { ANONYMOUS_CIPHERS, createApplianceState } from '../../../lab/appliance-state';
import { type LabSshServer, startLabSshServer } from '../../../lab/ssh-server';
import { isAllowedAnswer, isAllowedCommandLine } from '../../../shared/asyncos/allowlist';
import { fetchHostKey, readAppliance } from '../../../shared/asyncos/reader';
import type {
  CommandRequest,
  ReadOptions,
  SslconfigFacts,
  StatusFacts,
  TophostsFacts,
} from '../../../shared/asyncos/types';
import { closedPort } from '../../helpers/run-cli';

const PASSWORD = 'lab-secret-7f3a';
const ALL: CommandRequest[] = [
  { name: 'version' },
  { name: 'status' },
  { name: 'status detail' },
  { name: 'tophosts' },
  { name: 'showconfig' },
  { name: 'sslconfig' },
  { name: 'listenerconfig' },
  { name: 'interfaceconfig' },
  { name: 'grep', arg: 'CPQ|TLS|Connection Error' },
  { name: 'hoststatus', arg: 'example.com' },
];

let lab: LabSshServer;
const state = createApplianceState({
  role: 'esa',
  hostname: 'esa1.example.com',
  queueSize: 7055,
  queueDown: true,
});

beforeAll(async () => {
  lab = await startLabSshServer({ state, password: PASSWORD, pagerLines: 25 });
});
afterAll(async () => {
  await lab.close();
});
beforeEach(() => {
  lab.setFault('none');
  lab.record.auth.length = 0;
  lab.record.lines.length = 0;
  lab.record.questionAnswers.length = 0;
  lab.record.connections = 0;
});

function opts(over: Partial<ReadOptions> = {}): ReadOptions {
  return {
    host: '127.0.0.1',
    port: lab.port,
    username: 'admin',
    auth: { password: PASSWORD },
    hostKeys: [lab.fingerprint],
    commands: [{ name: 'status' }, { name: 'tophosts' }],
    timeoutMs: 8000,
    commandTimeoutMs: 2000,
    ...over,
  };
}

describe('readAppliance against the lab CLI', () => {
  it('reads every allow-listed command and types nothing outside the allow-list', async () => {
    const r = await readAppliance(opts({ commands: ALL }));
    expect(r.message).toMatch(/read 10 command/);
    expect(r).toMatchObject({ status: 'ok', code: 'ok', hostKey: lab.fingerprint });
    for (const [line, c] of Object.entries(r.commands)) {
      expect([line, c.code]).toEqual([line, 'ok']);
      expect(c.raw.length).toBeGreaterThan(0);
    }
    const status = r.commands.status!.parsed as StatusFacts;
    expect(status.activeRecipients).toBeGreaterThanOrEqual(7055);
    expect(r.commands['tophosts active_rcpts']!.parsed).toMatchObject({
      cpqQueue: { host: 'the.cpq.host', activeRecipients: 7055, down: true },
    });
    // Pager pages and menus were answered with empty lines; showconfig with the masking choice.
    expect(lab.record.lines).toContain('');
    expect(lab.record.lines).toContain('1');
    for (const line of lab.record.lines)
      expect(isAllowedCommandLine(line) || isAllowedAnswer(line)).toBe(true);
    // ssh2 first asks which methods exist ("none"), then sends the password once.
    expect(lab.record.auth.filter((a) => a.method !== 'none')).toEqual([
      { username: 'admin', method: 'password', secret: PASSWORD, accepted: true },
    ]);
    expect(r.commands.showconfig!.raw).not.toContain(PASSWORD);
  });

  it('sees a switched cipher list and the TLS failures it causes in mail_logs', async () => {
    const before = state.tls.outboundCiphers;
    state.tls.outboundCiphers = ANONYMOUS_CIPHERS;
    try {
      const r = await readAppliance(
        opts({ commands: [{ name: 'sslconfig' }, { name: 'grep', arg: 'TLS' }] }),
      );
      expect(r.code).toBe('ok');
      expect((r.commands.sslconfig!.parsed as SslconfigFacts).outboundAllowsAnonymous).toBe(true);
      expect(r.commands['grep -e "TLS" mail_logs']!.parsed).toMatchObject({
        events: expect.arrayContaining([
          expect.objectContaining({ type: 'tls_failed', reason: 'verify error: no certificate from server' }),
          expect.objectContaining({ type: 'tls_required_failed' }),
        ]),
      });
    } finally {
      state.tls.outboundCiphers = before;
    }
  });

  it('one tophosts row it cannot read: a warning naming it, the other rows and the CPQ queue kept', async () => {
    const before = state.queues;
    // A host column holding a space is not a layout the parser knows.
    state.queues = [...before, { ...before[0]!, host: 'odd host', down: false }];
    try {
      const r = await readAppliance(opts({ commands: [{ name: 'tophosts' }] }));
      expect(r).toMatchObject({ status: 'warning', code: 'ok' });
      const top = r.commands['tophosts active_rcpts']!;
      expect(top).toMatchObject({ status: 'warning', code: 'ok' });
      expect(top.message).toMatch(/1 tophosts row does not parse and is left out: ".*odd host/);
      const facts = top.parsed as TophostsFacts;
      expect(facts.cpqQueue?.host).toBe('the.cpq.host');
      expect(facts.rows).toHaveLength(before.length);
      expect(facts.unparsedRows).toEqual([expect.stringContaining('odd host')]);
    } finally {
      state.queues = before;
    }
  });

  it('unexpected_output (warning) with the raw text kept when a parser cannot read the answer', async () => {
    const r = await readAppliance(
      opts({ commands: [{ name: 'grep', arg: 'CPQ', log: 'cli_logs' }, { name: 'status' }] }),
    );
    expect(r).toMatchObject({ status: 'warning', code: 'unexpected_output' });
    const grep = r.commands['grep -e "CPQ" cli_logs']!;
    expect(grep).toMatchObject({ status: 'warning', code: 'unexpected_output', parsed: null });
    expect(grep.raw).toMatch(/has no entries/);
    expect(grep.message).toMatch(/no mail_logs lines/);
    // The session went on: the next command ran and parsed.
    expect(r.commands.status!.code).toBe('ok');
  });

  it('refuses a malformed pin before connecting', async () => {
    const r = await readAppliance(opts({ hostKeys: ['MD5:de:ad:be:ef'] }));
    expect(r).toMatchObject({
      code: 'session_failed',
      message: expect.stringMatching(/not an OpenSSH SHA256: fingerprint/),
    });
    expect(lab.record.connections).toBe(0);
  });

  it('refuses a non-allow-listed command before connecting', async () => {
    const r = await readAppliance(
      opts({ commands: [{ name: 'status' }, { name: 'suspendlistener' as never }] }),
    );
    expect(r).toMatchObject({ status: 'critical', code: 'session_failed', hostKey: null });
    expect(r.message).toMatch(/refused before connecting: "suspendlistener" is not an allow-listed command/);
    expect(lab.record.connections).toBe(0);
  });

  it('host_key_mismatch: ends before any credential is sent and names the key seen', async () => {
    lab.setFault('host_key_changed');
    const r = await readAppliance(opts());
    expect(r).toMatchObject({
      status: 'critical',
      code: 'host_key_mismatch',
      hostKey: lab.changedFingerprint,
    });
    expect(r.message).toContain(lab.changedFingerprint);
    expect(lab.record.connections).toBe(1);
    expect(lab.record.auth).toEqual([]);
    expect(lab.record.lines).toEqual([]);
  });

  it('accepts any of several pinned keys (rotation)', async () => {
    lab.setFault('host_key_changed');
    const r = await readAppliance(opts({ hostKeys: [lab.fingerprint, lab.changedFingerprint] }));
    expect(r.code).toBe('ok');
  });

  it('auth_failed on a wrong password', async () => {
    lab.setFault('wrong_password');
    const r = await readAppliance(opts());
    expect(r).toMatchObject({ code: 'auth_failed', hostKey: lab.fingerprint });
    expect(r.message).toMatch(/rejected the credentials for user "admin"/);
    expect(r.message).not.toContain(PASSWORD);
  });

  it('session_failed when the shell never shows a prompt after login', async () => {
    lab.setFault('hang_after_login');
    const r = await readAppliance(opts({ commandTimeoutMs: 500 }));
    expect(r.code).toBe('session_failed');
    expect(r.message).toMatch(/never showed its prompt/);
  });

  it('command_timeout when a command never returns to the prompt, keeping what was read', async () => {
    lab.setFault('hang_in_command');
    const r = await readAppliance(opts({ commandTimeoutMs: 500 }));
    expect(r.code).toBe('command_timeout');
    expect(r.commands.status).toMatchObject({ code: 'command_timeout', raw: expect.any(String) });
    expect(r.commands['tophosts active_rcpts']).toMatchObject({ code: 'session_failed', message: /not run/ });
    expect(lab.record.lines).toEqual(['status']);
  });

  it('unexpected_output when a command never stops (output cap)', async () => {
    lab.setFault('endless_output');
    const r = await readAppliance(opts({ maxOutputBytes: 64 * 1024 }));
    expect(r.code).toBe('unexpected_output');
    expect(r.commands.status!.message).toMatch(/more output than the cap/);
    expect(r.commands.status!.raw.length).toBeGreaterThan(1000);
  });

  it('unexpected_prompt on an unrecognised prompt, answering nothing', async () => {
    lab.setFault('unknown_prompt');
    const r = await readAppliance(opts(), { quietMs: 200 });
    expect(r.code).toBe('unexpected_prompt');
    expect(r.message).toMatch(/does not answer \(nothing was typed\).*admin@esa1.example.com:~\$/);
    expect(lab.record.lines).toEqual([]);
  });

  it('a yes/no question in one command costs only that command: nothing typed, the rest read in a fresh session', async () => {
    lab.setFault('yes_no_question', 'status');
    const r = await readAppliance(
      opts({
        commands: [{ name: 'version' }, { name: 'status' }, { name: 'tophosts' }, { name: 'sslconfig' }],
      }),
    );
    expect(r).toMatchObject({ status: 'critical', code: 'unexpected_prompt' });
    expect(r.message).toContain('"status" stopped at a question');
    expect(r.message).toContain('Really commit and reboot? [Y]>');
    // Its partial output is discarded; the commands before and after it are read.
    expect(r.commands.status).toMatchObject({ code: 'unexpected_prompt', parsed: null, raw: '' });
    expect(r.commands.version).toMatchObject({ code: 'ok' });
    expect(r.commands['tophosts active_rcpts']).toMatchObject({ code: 'ok' });
    expect(r.commands.sslconfig).toMatchObject({ code: 'ok' });
    // Nothing was typed at the question (no empty line, which would mean "yes"); the next command
    // went in a second connection.
    expect(lab.record.questionAnswers).toEqual([]);
    expect(lab.record.lines.filter((l) => l !== '')).toEqual([
      'version',
      'status',
      'tophosts active_rcpts',
      'sslconfig',
    ]);
    expect(lab.record.connections).toBe(2);
  });

  it('a question in the last command: no fresh session is opened', async () => {
    lab.setFault('yes_no_question', 'version');
    const r = await readAppliance(opts({ commands: [{ name: 'status' }, { name: 'version' }] }));
    expect(r.commands.status).toMatchObject({ code: 'ok' });
    expect(r.commands.version).toMatchObject({ code: 'unexpected_prompt' });
    expect(lab.record.questionAnswers).toEqual([]);
    expect(lab.record.lines.filter((l) => l !== '')).toEqual(['status', 'version']);
    expect(lab.record.connections).toBe(1);
  });

  it('does not pick a digit labelled "Mask" in a menu that is not the known one', async () => {
    lab.setFault('relabelled_mask_menu');
    const r = await readAppliance(opts({ commands: [{ name: 'showconfig' }] }));
    expect(r.code).toBe('unexpected_prompt');
    expect(r.commands.showconfig!.message).toContain('1. Plain passphrases');
    expect(r.commands.showconfig!.message).toContain('2. Mask passphrases');
    expect(lab.record.lines).toEqual(['showconfig']);
  });

  it('answers the real passphrase menu with its mask choice, and the operation menus with an empty line', async () => {
    const r = await readAppliance(opts({ commands: [{ name: 'showconfig' }, { name: 'sslconfig' }] }));
    expect(r.code).toBe('ok');
    // Besides pager keys (empty lines while output pages), only the mask choice and the leaving line.
    expect(lab.record.lines.slice(0, 2)).toEqual(['showconfig', '1']);
    expect(lab.record.lines.filter((l) => l !== '')).toEqual(['showconfig', '1', 'sslconfig']);
    expect(lab.record.lines.at(-1)).toBe('');
  });

  it('fetches the host key without authenticating', async () => {
    const k = await fetchHostKey({ host: '127.0.0.1', port: lab.port, timeoutMs: 3000 });
    expect(k).toMatchObject({ status: 'ok', hostKey: lab.fingerprint });
    expect(lab.record.auth).toEqual([]);
  });
});

describe('readAppliance network failures', () => {
  it('connect_refused on a closed port', async () => {
    const port = await closedPort();
    const r = await readAppliance(opts({ port }));
    expect(r).toMatchObject({ code: 'connect_refused', status: 'critical', hostKey: null });
  });

  it('connect_timeout when the peer accepts TCP but never speaks SSH', async () => {
    const silent: Server = createServer(() => {});
    const sockets = new Set<import('node:net').Socket>();
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const r = await readAppliance(opts({ port, timeoutMs: 600 }));
      expect(r.code).toBe('connect_timeout');
      expect(r.message).toMatch(/accepted TCP but the SSH handshake/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('dns_failed when the name does not resolve (resolver error passed through)', async () => {
    const lookup = async (host: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    };
    const r = await readAppliance(opts({ host: 'esa9.example.invalid' }), { lookup });
    expect(r).toMatchObject({
      code: 'dns_failed',
      message: 'cannot resolve esa9.example.invalid: ENOTFOUND',
    });
  });

  it('resolves names through the lookup and connects to the address', async () => {
    const lookup = async () => ({ address: '127.0.0.1', family: 4 });
    const r = await readAppliance(opts({ host: 'esa1.example.com' }), { lookup });
    expect(r).toMatchObject({ code: 'ok', host: 'esa1.example.com' });
  });
});
