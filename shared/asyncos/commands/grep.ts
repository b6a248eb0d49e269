/** `grep -e "PATTERN" LOG`: matching log lines, parsed as mail_logs events. */
import { parseMailLog } from '../parsers/maillog';
import { allow, defineCommand, refuse } from './define';

/** Logs `grep` may read. */
const LOGS = new Set(['mail_logs', 'cli_logs', 'system_logs', 'status', 'gui_logs', 'error_logs']);
/** A grep pattern: bounded length, no quotes, no line breaks, nothing a CLI could take as a new command. */
const GREP_PATTERN = /^[A-Za-z0-9 ._:@/,=*+?^$|()[\]{}\\-]{1,128}$/;
/** The mail_logs pattern `read --commands mail_logs` greps for: CPQ traffic and its failures. */
export const DEFAULT_MAILLOG_PATTERN = 'CPQ|TLS|Connection Error|Centralized Policy|application fault';

/** Characters a pattern may not hold, by why: each names what a CLI could make of it. */
const REFUSED_BECAUSE: ReadonlyArray<[RegExp, string]> = [
  [
    /["'`]/,
    'a quote would end the quoted pattern, and what follows would be read as more of the command line',
  ],
  [/[;&]/, 'a CLI could read it as the end of one command and the start of a second one'],
  [/[<>]/, 'a CLI could read it as a redirection to or from a file'],
  [/[\r\n]/, 'a line break would end the command line and send the rest as a second command'],
  [/[\x00-\x1f\x7f]/, 'a control character can edit or end the line in the terminal'],
];

/**
 * Why a pattern is refused, naming the first character the allow rule does not take (the rule is
 * a short list of safe characters, so anything else is refused, not only what a CLI is known to
 * act on).
 */
function whyPatternRefused(pattern: string): string {
  if (pattern.length === 0) return 'grep pattern is empty';
  if (pattern.length > 128) return `grep pattern is ${pattern.length} characters long; at most 128`;
  const index = [...pattern].findIndex((c) => !GREP_PATTERN.test(c));
  const ch = [...pattern][index] ?? '';
  const shown = /[\x00-\x1f\x7f]/.test(ch)
    ? `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
    : `"${ch}"`;
  const why =
    REFUSED_BECAUSE.find(([re]) => re.test(ch))?.[1] ??
    'only letters, digits, blanks and . _ : @ / , = * + ? ^ $ | ( ) [ ] { } \\ - are allowed, so that nothing in the pattern can be read as a second command';
  return `grep pattern refuses ${shown} (character ${index + 1}): ${why}`;
}

export const grepCommand = defineCommand({
  name: 'grep',
  kind: 'mail_logs',
  aliases: ['mail_logs'],
  readItem: { takesArg: true, defaultArg: DEFAULT_MAILLOG_PATTERN },
  line: ({ arg, log = 'mail_logs' }) => {
    const pattern = arg ?? '';
    if (!GREP_PATTERN.test(pattern)) return refuse(whyPatternRefused(pattern));
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
