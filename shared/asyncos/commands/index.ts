/**
 * The registry of AsyncOS commands: every command the reader may send, one line each. The
 * allow-list, the reader, the `parse`/`read` CLI names, the findings' view of a read and the lab's
 * simulated CLI all take their list of commands from here, and the types below from it.
 */

import type { ParseOptions, ParseOutcome } from '../parsers/common';
import type { CommandResult, ReadResult } from '../types';
import type { CommandDescriptor } from './define';
import { grepCommand } from './grep';
import { hoststatusCommand } from './hoststatus';
import { interfaceconfigCommand } from './interfaceconfig';
import { listenerconfigCommand } from './listenerconfig';
import { showconfigCommand } from './showconfig';
import { sslconfigCommand } from './sslconfig';
import { statusCommand, statusDetailCommand } from './status';
import { tophostsCommand } from './tophosts';
import { versionCommand } from './version';

export type { AllowDecision, CommandArgs, CommandDescriptor, ReadItem } from './define';
export { DEFAULT_MAILLOG_PATTERN } from './grep';
export { DEFAULT_TOPHOSTS_SORT } from './tophosts';

/** Every command, in the order the CLI lists them. */
export const COMMANDS = [
  versionCommand,
  statusCommand,
  statusDetailCommand,
  tophostsCommand,
  showconfigCommand,
  sslconfigCommand,
  listenerconfigCommand,
  interfaceconfigCommand,
  grepCommand,
  hoststatusCommand,
] as const;

/** Any command's descriptor. */
export type RegisteredCommand = (typeof COMMANDS)[number];
/** Commands the reader may send. Anything else is refused before it reaches the wire. */
export type CommandName = RegisteredCommand['name'];
/** The descriptor of one command. */
export type CommandNamed<N extends CommandName> = Extract<RegisteredCommand, { readonly name: N }>;
/** The parsed facts of one command. */
export type FactsOf<N extends CommandName> =
  CommandNamed<N> extends CommandDescriptor<N, infer F, string> ? F : never;
/** Facts by command, for code that walks a ReadResult. */
export type ParsedByCommand = { [N in CommandName]: FactsOf<N> };
/** Kinds `cpq-monitor parse` reports: the command names, and `mail_logs` for grep output. */
export type ParseKind = CommandName | NonNullable<RegisteredCommand['kind']>;
/** The command whose output a parse kind names. */
export type CommandOfKind<K extends ParseKind> = Extract<
  RegisteredCommand,
  { readonly name: K } | { readonly kind: K }
>['name'];

/** One command to run. */
export interface CommandRequest {
  name: CommandName;
  /** The sort for tophosts, the host for hoststatus, the pattern for grep. */
  arg?: string;
  /** For grep: the log to read, default `mail_logs`. */
  log?: string;
}

/** One command's facts, tagged with the command: switching on `command` types `facts`. */
export type CommandFacts<N extends CommandName = CommandName> = {
  [K in N]: { command: K; facts: FactsOf<K> };
}[N];

/** One command of a read that ran and parsed: its key (the line typed), facts and raw text. */
export type ParsedCommand<N extends CommandName = CommandName> = CommandFacts<N> & {
  key: string;
  raw: string;
};

const BY_NAME = new Map<string, RegisteredCommand>(COMMANDS.map((c) => [c.name, c]));
/** Longest name first, so `status detail ...` is not taken for `status`. */
const BY_LENGTH = [...COMMANDS].sort((a, b) => b.name.length - a.name.length);

/** The descriptor of a command name, or undefined for a name that is not one. */
export function commandNamed(name: string): RegisteredCommand | undefined {
  return BY_NAME.get(name);
}

/**
 * The command a typed line (or a ReadResult key) belongs to and the rest of the line after its
 * name, blanks folded: `status detail` → status detail, `tophosts  1` → tophosts with `1`.
 * Lenient on purpose (the lab answers such lines); the allow-list is `isAllowedCommandLine`.
 */
export function commandOfLine(line: string): { command: RegisteredCommand; rest: string } | undefined {
  const folded = line.trim().replace(/\s+/g, ' ');
  for (const command of BY_LENGTH) {
    if (folded === command.name) return { command, rest: '' };
    if (folded.startsWith(`${command.name} `))
      return { command, rest: folded.slice(command.name.length + 1) };
  }
  return undefined;
}

/** The command of a `cpq-monitor parse` kind or alias (`status-detail`, `mail_logs`, `grep`...). */
export function commandOfKind(kind: string): RegisteredCommand | undefined {
  return COMMANDS.find((c) => c.name === kind || c.kind === kind || c.aliases.includes(kind));
}

/** Parses one command's output into facts tagged with the command, or why it cannot. */
export function parseTagged(
  command: RegisteredCommand,
  raw: string,
  opts: ParseOptions = {},
): { ok: true; value: CommandFacts } | { ok: false; reason: string } {
  const out = command.parse(raw, opts);
  // The facts came from this command's own parser: the pair is one member of the union.
  return out.ok ? { ok: true, value: { command: command.name, facts: out.facts } as CommandFacts } : out;
}

/** Parses one command's output. Unknown output gives `{ ok: false, reason }`, never empty facts. */
export function parseCommandOutput<K extends ParseKind>(
  kind: K,
  raw: string,
  opts: ParseOptions = {},
): ParseOutcome<FactsOf<CommandOfKind<K>>> {
  const command = commandOfKind(kind);
  if (command === undefined) return { ok: false, reason: `no parser for "${String(kind)}"` };
  const out = parseTagged(command, raw, opts);
  return out.ok ? { ok: true, facts: out.value.facts as FactsOf<CommandOfKind<K>> } : out;
}

/**
 * The commands of a read that ran and parsed, in the order read, each tagged with its command
 * (taken from its key, the line typed). Keys that name no command are left out.
 */
export function parsedCommands(read: Pick<ReadResult, 'commands'>): ParsedCommand[] {
  const out: ParsedCommand[] = [];
  for (const [key, result] of Object.entries(read.commands)) {
    const parsed = parsedCommand(key, result);
    if (parsed !== undefined) out.push(parsed);
  }
  return out;
}

/** One result of a read tagged with its command, when it ran, parsed, and its key names a command. */
export function parsedCommand(key: string, result: CommandResult): ParsedCommand | undefined {
  const match = commandOfLine(key);
  if (match === undefined || result.code !== 'ok' || result.parsed === null || result.parsed === undefined)
    return undefined;
  // The reader stores under a command's line what that command's parser returned.
  const tagged = { command: match.command.name, facts: result.parsed } as CommandFacts;
  return { ...tagged, key, raw: result.raw };
}

/** The facts of the first of these commands that ran and parsed in a read, or null. */
export function firstFacts<N extends CommandName>(
  read: Pick<ReadResult, 'commands'>,
  ...names: N[]
): FactsOf<N> | null {
  const wanted: readonly CommandName[] = names;
  const found = parsedCommands(read).find((p) => wanted.includes(p.command));
  // `found` is the result of one of `names`: its facts are that command's.
  return found === undefined ? null : (found.facts as FactsOf<N>);
}
