/**
 * The registry of AsyncOS commands: every command the reader may send, one line each. The
 * allow-list, the reader, the `parse`/`read` CLI names, the findings' view of a read and the lab's
 * simulated CLI all take their list of commands from here, and the types below from it.
 */

import { commandNameOfLine } from '../../read-view';
import type { ParseOptions, ParseOutcome } from '../parsers/common';
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

export { firstFacts, parsedCommand, parsedCommands } from '../../read-view';
export type { AllowDecision, CommandArgs, CommandDescriptor, ReadItem } from './define';
export { DEFAULT_MAILLOG_PATTERN } from './grep';
export { type KnownMenu, matchMenu } from './menus';
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

/** The descriptor of a command name, or undefined for a name that is not one. */
export function commandNamed(name: string): RegisteredCommand | undefined {
  return BY_NAME.get(name);
}

/** The command a typed line (or a ReadResult key) belongs to, and the rest of the line (see commandNameOfLine). */
export function commandOfLine(line: string): { command: RegisteredCommand; rest: string } | undefined {
  const match = commandNameOfLine(line);
  return match === undefined ? undefined : { command: BY_NAME.get(match.name)!, rest: match.rest };
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
