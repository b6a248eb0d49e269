/**
 * What one AsyncOS command is to the monitor: its name, the names people type for it, the rule
 * that turns a request into the exact line typed (or refuses it), and the parser of its output.
 * Each command file defines one of these; `index.ts` lists them (the registry).
 */
import type { ParseOptions, ParseOutcome } from '../parsers/common';

/** The exact line to type for a request, or why it is refused. */
export type AllowDecision = { allowed: true; line: string } | { allowed: false; reason: string };

/** A request's arguments: `arg` is the sort for tophosts, the host for hoststatus, the pattern for grep. */
export interface CommandArgs {
  arg?: string;
  /** For grep: the log to read, default `mail_logs`. */
  log?: string;
}

/** How `cpq-monitor read --commands ITEM[:ARG]` offers a command. */
export interface ReadItem {
  /** Whether `ITEM:ARG` may carry an argument; without one the request has `defaultArg` (or none). */
  takesArg: boolean;
  defaultArg?: string;
  /** Shown as `ITEM[:HINT]` in the help and usage errors, when set. */
  hint?: string;
}

/** One AsyncOS command the reader may send: `N` its name, `F` its parsed facts, `K` its `parse` kind. */
export interface CommandDescriptor<N extends string = string, F = unknown, K extends string = N> {
  /** The name a request carries; every line of this command starts with it. */
  readonly name: N;
  /** What `cpq-monitor parse --json` calls this output when not `name` (grep output is `mail_logs`). */
  readonly kind?: K;
  /** Other names people type for it on the command line; the first is the one the CLI lists. */
  readonly aliases: readonly string[];
  /** How `read --commands` offers it; absent when only its own flag requests it (hoststatus). */
  readonly readItem?: ReadItem;
  /** True when it asks whether to mask passwords: the reader answers "mask" and nothing else. */
  readonly masksPasswords?: boolean;
  /** The allow rule: the exact line to type for these arguments, or why they are refused. */
  line(args: CommandArgs): AllowDecision;
  /** The arguments a typed line stands for, when it is this command's (the inverse of `line`). */
  argsOf(line: string): CommandArgs | null;
  /** Output → facts; output it does not recognise gives a reason, never empty facts. */
  parse(raw: string, opts: ParseOptions): ParseOutcome<F>;
}

/** A descriptor with its name, facts and kind types kept exact for the registry. */
export function defineCommand<const N extends string, F, const K extends string = N>(
  d: CommandDescriptor<N, F, K>,
): CommandDescriptor<N, F, K> {
  return d;
}

/** An allowed line. */
export function allow(line: string): AllowDecision {
  return { allowed: true, line };
}

/** A refusal with its reason. */
export function refuse(reason: string): AllowDecision {
  return { allowed: false, reason };
}

/**
 * A command typed as its bare name (any argument refused) and offered by `read --commands`; `more`
 * adds aliases or the password-masking answer.
 */
export function bareCommand<const N extends string, F>(
  name: N,
  parse: (raw: string, opts: ParseOptions) => ParseOutcome<F>,
  more: Partial<Pick<CommandDescriptor, 'aliases' | 'masksPasswords'>> = {},
): CommandDescriptor<N, F> {
  return {
    name,
    aliases: [],
    readItem: { takesArg: false },
    line: (args) =>
      args.arg !== undefined && args.arg !== '' ? refuse(`"${name}" takes no argument`) : allow(name),
    argsOf: (line) => (line === name ? {} : null),
    parse,
    ...more,
  };
}

/** The inverse of a `NAME ARG` command: the argument is everything after `NAME `. */
export function argAfter(name: string): (line: string) => CommandArgs | null {
  return (line) => (line.startsWith(`${name} `) ? { arg: line.slice(name.length + 1) } : null);
}
