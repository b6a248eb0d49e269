/** The registry of AsyncOS commands: one descriptor per command, and the views built on it. */
import { isAllowedCommandLine } from '../../../shared/asyncos/allowlist';
import {
  COMMANDS,
  commandOfKind,
  commandOfLine,
  firstFacts,
  parseCommandOutput,
  parsedCommands,
} from '../../../shared/asyncos/commands';
import type { CommandResult } from '../../../shared/asyncos/types';
import { fixture } from './fixture';

const SAMPLE_ARGS: Record<string, { arg?: string; log?: string }> = {
  tophosts: { arg: '2' },
  hoststatus: { arg: 'the.cpq.host' },
  grep: { arg: 'CPQ|TLS', log: 'mail_logs' },
};

function ok(parsed: unknown, raw = 'raw'): CommandResult {
  return { status: 'ok', code: 'ok', message: 'ok', parsed, raw };
}

describe('the command registry', () => {
  it('lists each command once', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s: the line its rule types is allow-listed, maps back to its arguments and to it',
    (name, command) => {
      const decision = command.line(SAMPLE_ARGS[name] ?? {});
      if (!decision.allowed) throw new Error(decision.reason);
      expect(isAllowedCommandLine(decision.line)).toBe(true);
      expect(command.argsOf(decision.line)).toEqual(SAMPLE_ARGS[name] ?? {});
      expect(commandOfLine(decision.line)?.command.name).toBe(name);
    },
  );

  it('resolves every name the CLI accepts to its command, and nothing else', () => {
    for (const c of COMMANDS) {
      for (const n of [c.name, ...c.aliases]) expect(commandOfKind(n)?.name).toBe(c.name);
    }
    expect(commandOfKind('mail_logs')?.name).toBe('grep');
    expect(commandOfKind('suspendlistener')).toBeUndefined();
    expect(parseCommandOutput('suspendlistener' as never, 'x')).toEqual({
      ok: false,
      reason: 'no parser for "suspendlistener"',
    });
  });

  it('reads a line by its longest command name, blanks folded', () => {
    expect(commandOfLine('  status   detail ')).toMatchObject({
      command: { name: 'status detail' },
      rest: '',
    });
    expect(commandOfLine('status')).toMatchObject({ command: { name: 'status' }, rest: '' });
    expect(commandOfLine('tophosts  1')).toMatchObject({ command: { name: 'tophosts' }, rest: '1' });
    expect(commandOfLine('statusdetail')).toBeUndefined();
  });
});

describe('parsed results of a read, tagged by command', () => {
  const status = parseCommandOutput('status', fixture('status-esa-online.txt'));
  const tophosts = parseCommandOutput('tophosts', fixture('tophosts-esa.txt'));
  if (!status.ok || !tophosts.ok) throw new Error('fixtures no longer parse');
  const read = {
    commands: {
      status: ok(status.facts, 'status text'),
      'tophosts active_rcpts': ok(tophosts.facts),
      sslconfig: { status: 'warning', code: 'unexpected_output', message: 'x', parsed: null, raw: '' },
      'not a command': ok({ any: 'thing' }),
    } satisfies Record<string, CommandResult>,
  };

  it('keeps what ran and parsed, in the order read, and leaves out unknown keys', () => {
    const parsed = parsedCommands(read);
    expect(parsed.map((p) => [p.command, p.key])).toEqual([
      ['status', 'status'],
      ['tophosts', 'tophosts active_rcpts'],
    ]);
    expect(parsed[0]).toMatchObject({ raw: 'status text', facts: { variant: 'esa' } });
  });

  it('gives the first facts of the commands asked for, or null', () => {
    expect(firstFacts(read, 'status detail', 'status')?.online).toBe(status.facts.online);
    expect(firstFacts(read, 'tophosts')?.rows.length).toBe(tophosts.facts.rows.length);
    expect(firstFacts(read, 'sslconfig')).toBeNull();
    expect(firstFacts(read, 'showconfig')).toBeNull();
  });
});
