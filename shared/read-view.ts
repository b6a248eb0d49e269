/**
 * How the rooms downstream of the SSH reader look at a read: its command results tagged by
 * command, one command's facts, the CPQ listener of a listener listing. It imports no parser and
 * no socket (types only), so the findings, metrics and cycle code that read reads does not bring
 * the SSH client or the parsers into the probe function's bundle (docs/architecture.md).
 */
import type { CommandFacts, CommandName, FactsOf, ParsedCommand } from './asyncos/commands';
import type { CommandResult, ReadResult } from './asyncos/types';

/**
 * Every registered command's name. A `Record` over the registry's names: the compiler refuses a
 * registered command missing here, or a name here the registry does not have.
 */
const NAMES: Record<CommandName, true> = {
  version: true,
  status: true,
  'status detail': true,
  tophosts: true,
  showconfig: true,
  sslconfig: true,
  listenerconfig: true,
  interfaceconfig: true,
  grep: true,
  hoststatus: true,
};
/** Longest name first, so `status detail ...` is not taken for `status`. */
const BY_LENGTH = (Object.keys(NAMES) as CommandName[]).sort((a, b) => b.length - a.length);

/**
 * The command a typed line (or a ReadResult key) belongs to and the rest of the line after its
 * name, blanks folded: `status detail` → status detail, `tophosts  1` → tophosts with `1`.
 * Lenient on purpose (the lab answers such lines); the allow-list is the reader's.
 */
export function commandNameOfLine(line: string): { name: CommandName; rest: string } | undefined {
  const folded = line.trim().replace(/\s+/g, ' ');
  for (const name of BY_LENGTH) {
    if (folded === name) return { name, rest: '' };
    if (folded.startsWith(`${name} `)) return { name, rest: folded.slice(name.length + 1) };
  }
  return undefined;
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
  const match = commandNameOfLine(key);
  if (match === undefined || result.code !== 'ok' || result.parsed === null || result.parsed === undefined)
    return undefined;
  // The reader stores under a command's line what that command's parser returned.
  const tagged = { command: match.name, facts: result.parsed } as CommandFacts;
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

/**
 * The hidden CPQ listener of a listing (showconfig's or listenerconfig's): the listener whose
 * protocol is CPQ, else the one named `cpq_listener` (an appliance may rename it, never its
 * protocol). The one rule onboarding and the findings both use.
 */
export function cpqListenerOf<L extends { name: string; protocol: string }>(
  listeners: readonly L[],
): L | null {
  return (
    listeners.find((l) => /^cpq$/i.test(l.protocol)) ??
    listeners.find((l) => /^cpq_listener$/i.test(l.name)) ??
    null
  );
}
