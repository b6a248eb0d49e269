import { EventEmitter } from 'node:events';
import type { Client, ClientChannel } from 'ssh2';
import { commandLine } from '../../../shared/asyncos/allowlist';
import { ShellSession } from '../../../shared/asyncos/shell-session';

/** A shell channel that records what is written and answers nothing by itself. */
function fakeShell() {
  const written: string[] = [];
  const stream = Object.assign(new EventEmitter(), {
    stderr: new EventEmitter(),
    setEncoding: () => {},
    write: (s: string) => {
      written.push(s);
      return true;
    },
    close: () => {},
  });
  const client = Object.assign(new EventEmitter(), { end: () => {}, destroy: () => {} });
  const session = new ShellSession(client as unknown as Client, stream as unknown as ClientChannel, 50);
  return { session, stream, written };
}

describe('the shell session types only allow-listed lines and known answers', () => {
  it.each([
    'suspendlistener',
    'commit',
    'status\ncommit',
    'status\rcommit',
    'tophosts 1\n',
    'grep -e "CPQ" mail_logs\nresume',
    'grep -e "x\\" mail_logs',
    'hoststatus a.example.com; resume',
    'status\x1b[A',
  ])('refuses %j before writing anything', async (line) => {
    // Prepare
    const { session, written } = fakeShell();
    // Act
    const outcome = session.run(line, { timeoutMs: 100, maxBytes: 1000 });
    // Assess
    await expect(outcome).rejects.toThrow(/not an allow-listed command line/);
    expect(written).toEqual([]);
    expect(session.typed).toEqual([]);
  });

  it('types an allow-listed line and leaves a menu with an empty line only', async () => {
    const { session, stream, written } = fakeShell();
    const done = session.run('sslconfig', { timeoutMs: 1000, maxBytes: 10_000 });
    stream.emit('data', 'sslconfig\r\nChoose the operation you want to perform:\r\n- GUI - Edit\r\n[]> ');
    stream.emit('data', '\r\nesa1> ');
    await expect(done).resolves.toMatchObject({ state: 'done' });
    expect(written).toEqual(['sslconfig\n', '\n']);
  });

  it('types nothing at a question the command is not known to ask', async () => {
    const { session, stream, written } = fakeShell();
    const done = session.run('status', { timeoutMs: 1000, maxBytes: 10_000 });
    stream.emit('data', 'status\r\nSystem status: Online\r\nReally commit and reboot? [Y]> ');
    const outcome = await done;
    expect(outcome.state).toBe('unexpected_prompt');
    if (outcome.state === 'unexpected_prompt')
      expect(outcome.question).toMatch(/System status: Online\nReally commit and reboot\? \[Y\]>$/);
    expect(written).toEqual(['status\n']);
  });

  it('types nothing at the operation menu under a prompt with a default', async () => {
    const { session, stream, written } = fakeShell();
    const done = session.run('sslconfig', { timeoutMs: 1000, maxBytes: 10_000 });
    stream.emit('data', 'sslconfig\r\nChoose the operation you want to perform:\r\n- GUI - Edit\r\n[Y]> ');
    await expect(done).resolves.toMatchObject({ state: 'unexpected_prompt' });
    expect(written).toEqual(['sslconfig\n']);
  });
});

describe('grep patterns cannot escape their quotes', () => {
  it.each(['CPQ\\', 'a\\\\\\'])('refuses %j (a lone backslash before the closing quote)', (arg) => {
    expect(commandLine({ name: 'grep', arg }).allowed).toBe(false);
  });

  it.each(['TLS\\.', 'a\\\\', 'New CPQ ICID'])('keeps %j', (arg) => {
    expect(commandLine({ name: 'grep', arg }).allowed).toBe(true);
  });
});
