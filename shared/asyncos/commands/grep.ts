/** `grep -e "PATTERN" LOG`: matching log lines, parsed as mail_logs events. */
import { parseMailLog } from '../parsers/maillog';
import { allow, defineCommand, refuse } from './define';

/** Logs `grep` may read. */
const LOGS = new Set(['mail_logs', 'cli_logs', 'system_logs', 'status', 'gui_logs', 'error_logs']);
/** A grep pattern: bounded length, no quotes, no line breaks, nothing a CLI could take as a new command. */
const GREP_PATTERN = /^[A-Za-z0-9 ._:@/,=*+?^$|()[\]{}\\-]{1,128}$/;
/** The mail_logs pattern `read --commands mail_logs` greps for: CPQ traffic and its failures. */
export const DEFAULT_MAILLOG_PATTERN = 'CPQ|TLS|Connection Error|Centralized Policy|application fault';

export const grepCommand = defineCommand({
  name: 'grep',
  kind: 'mail_logs',
  aliases: ['mail_logs'],
  readItem: { takesArg: true, defaultArg: DEFAULT_MAILLOG_PATTERN },
  line: ({ arg, log = 'mail_logs' }) => {
    const pattern = arg ?? '';
    if (!GREP_PATTERN.test(pattern)) {
      return refuse('grep pattern must be 1-128 characters without quotes or line breaks');
    }
    // An odd run of backslashes at the end would escape the closing quote and let the CLI read
    // the log name (and anything after it) as part of the pattern.
    if (/\\+$/.test(pattern) && (pattern.length - pattern.replace(/\\+$/, '').length) % 2 === 1) {
      return refuse('grep pattern must not end with a lone backslash (it would escape the closing quote)');
    }
    if (!LOGS.has(log)) return refuse(`grep may read only ${[...LOGS].join(', ')}, not "${log}"`);
    return allow(`grep -e "${pattern}" ${log}`);
  },
  argsOf: (line) => {
    const m = /^grep -e "([^"]*)" (\S+)$/.exec(line);
    return m === null ? null : { arg: m[1]!, log: m[2]! };
  },
  parse: parseMailLog,
});
