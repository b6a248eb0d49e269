/**
 * The read-only allow-list: the only command lines and answers the reader ever types.
 * Everything else is refused here, before a connection is even opened.
 */
import { isIP } from 'node:net';
import type { CommandName, CommandRequest } from './types';

export type AllowDecision = { allowed: true; line: string } | { allowed: false; reason: string };

/** `tophosts` sort orders: menu numbers and the keyword forms the CLI accepts. */
const TOPHOSTS_SORTS = new Set([
  '1',
  '2',
  '3',
  '4',
  '5',
  'active_rcpts',
  'conn_out',
  'deliv_rcpts',
  'hard_bounced',
  'soft_bounced',
]);
/** Default sort: by active recipients, the column that shows a backlog. */
export const DEFAULT_TOPHOSTS_SORT = 'active_rcpts';
/** Logs `grep` may read. */
const LOGS = new Set(['mail_logs', 'cli_logs', 'system_logs', 'status', 'gui_logs', 'error_logs']);
/** A grep pattern: bounded length, no quotes, no line breaks, nothing a CLI could take as a new command. */
const GREP_PATTERN = /^[A-Za-z0-9 ._:@/,=*+?^$|()[\]{}\\-]{1,128}$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Commands that take no argument and are sent as their name. */
const PLAIN: ReadonlySet<CommandName> = new Set([
  'version',
  'status',
  'status detail',
  'showconfig',
  'sslconfig',
  'listenerconfig',
  'interfaceconfig',
]);

/** The exact line to type for a request, or why it is refused. */
export function commandLine(req: CommandRequest): AllowDecision {
  const name = req.name as string;
  if (PLAIN.has(req.name)) {
    if (req.arg !== undefined && req.arg !== '') return refuse(`"${name}" takes no argument`);
    return { allowed: true, line: name };
  }
  switch (req.name) {
    case 'tophosts': {
      const sort = req.arg ?? DEFAULT_TOPHOSTS_SORT;
      if (!TOPHOSTS_SORTS.has(sort))
        return refuse(
          `tophosts sort "${sort}" is not one of 1-5 or ${[...TOPHOSTS_SORTS].slice(5).join(', ')}`,
        );
      return { allowed: true, line: `tophosts ${sort}` };
    }
    case 'hoststatus': {
      const host = req.arg ?? '';
      if (isIP(host) === 0 && !HOSTNAME.test(host))
        return refuse(`hoststatus needs a host name or address, got "${host}"`);
      return { allowed: true, line: `hoststatus ${host}` };
    }
    case 'grep': {
      const pattern = req.arg ?? '';
      const log = req.log ?? 'mail_logs';
      if (!GREP_PATTERN.test(pattern)) {
        return refuse('grep pattern must be 1-128 characters without quotes or line breaks');
      }
      // An odd run of backslashes at the end would escape the closing quote and let the CLI read
      // the log name (and anything after it) as part of the pattern.
      if (/\\+$/.test(pattern) && (pattern.length - pattern.replace(/\\+$/, '').length) % 2 === 1) {
        return refuse('grep pattern must not end with a lone backslash (it would escape the closing quote)');
      }
      if (!LOGS.has(log)) return refuse(`grep may read only ${[...LOGS].join(', ')}, not "${log}"`);
      return { allowed: true, line: `grep -e "${pattern}" ${log}` };
    }
    default:
      return refuse(`"${name}" is not an allow-listed command`);
  }
}

function refuse(reason: string): AllowDecision {
  return { allowed: false, reason };
}

/**
 * Answers the reader may type at a menu, pager or question: an empty line (leave / take the
 * default / next page), `N` or a single digit for the password-masking question of showconfig.
 */
export function isAllowedAnswer(text: string): boolean {
  return text === '' || text === 'N' || /^[1-9]$/.test(text);
}

/** True when the line is an allow-listed command line (what a recorded session may contain). */
export function isAllowedCommandLine(line: string): boolean {
  const [head = '', ...rest] = line.split(' ');
  const arg = rest.join(' ');
  if (PLAIN.has(line as CommandName)) return true;
  if (head === 'tophosts') return TOPHOSTS_SORTS.has(arg);
  if (head === 'hoststatus') return commandLine({ name: 'hoststatus', arg }).allowed;
  if (head === 'grep') {
    const m = /^-e "([^"]*)" (\S+)$/.exec(arg);
    return m !== null && commandLine({ name: 'grep', arg: m[1]!, log: m[2]! }).allowed;
  }
  return false;
}
