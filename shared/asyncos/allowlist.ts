/**
 * The read-only allow-list: the only command lines and answers the reader ever types.
 * Everything else is refused here, before a connection is even opened. Each command's own rule
 * is in its descriptor (./commands); what is not in the registry is not a command.
 */
import {
  type AllowDecision,
  COMMANDS,
  type CommandRequest,
  commandNamed,
  type RegisteredCommand,
} from './commands';

/** The exact line to type for a request, or why it is refused. */
export function commandLine(req: CommandRequest): AllowDecision {
  const command = commandNamed(req.name);
  if (command === undefined)
    return { allowed: false, reason: `"${req.name}" is not an allow-listed command` };
  return command.line(req);
}

/** Every answer some command's known menu takes (./commands/menus.ts). */
const MENU_ANSWERS = new Set<string>(COMMANDS.flatMap((c) => (c.menus ?? []).map((m) => m.answer)));

/**
 * Answers the reader may type: an empty line (the pager's next page, or leaving a menu that has
 * no default) and the answers of the commands' known menus. Which answer goes to which question
 * is decided by the menu's exact text (`matchMenu`); this is the last guard on the wire.
 */
export function isAllowedAnswer(text: string): boolean {
  return text === '' || MENU_ANSWERS.has(text);
}

/**
 * The command whose allow rule types exactly this line, or undefined when none does (the line is
 * then not allow-listed).
 */
export function commandTyping(line: string): RegisteredCommand | undefined {
  return COMMANDS.find((command) => {
    const args = command.argsOf(line);
    if (args === null) return false;
    const decision = command.line(args);
    return decision.allowed && decision.line === line;
  });
}

/**
 * True when the line is an allow-listed command line (what a recorded session may contain):
 * exactly the line some command's rule types for the arguments the line stands for.
 */
export function isAllowedCommandLine(line: string): boolean {
  return commandTyping(line) !== undefined;
}
