/**
 * The read-only allow-list: the only command lines and answers the reader ever types.
 * Everything else is refused here, before a connection is even opened. Each command's own rule
 * is in its descriptor (./commands); what is not in the registry is not a command.
 */
import { type AllowDecision, COMMANDS, type CommandRequest, commandNamed } from './commands';

/** The exact line to type for a request, or why it is refused. */
export function commandLine(req: CommandRequest): AllowDecision {
  const command = commandNamed(req.name);
  if (command === undefined)
    return { allowed: false, reason: `"${req.name}" is not an allow-listed command` };
  return command.line(req);
}

/**
 * Answers the reader may type at a menu, pager or question: an empty line (leave / take the
 * default / next page), `N` or a single digit for the password-masking question of showconfig.
 */
export function isAllowedAnswer(text: string): boolean {
  return text === '' || text === 'N' || /^[1-9]$/.test(text);
}

/**
 * True when the line is an allow-listed command line (what a recorded session may contain):
 * exactly the line some command's rule types for the arguments the line stands for.
 */
export function isAllowedCommandLine(line: string): boolean {
  return COMMANDS.some((command) => {
    const args = command.argsOf(line);
    if (args === null) return false;
    const decision = command.line(args);
    return decision.allowed && decision.line === line;
  });
}
