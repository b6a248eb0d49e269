/** One entry point over every parser: command name (or `mail_logs`) and raw text → facts or why not. */
import type { CommandName, ParsedByCommand } from '../types';
import type { ParseOptions, ParseOutcome } from './common';
import { parseHoststatus } from './hoststatus';
import { parseInterfaceconfig } from './interfaceconfig';
import { parseListenerconfig } from './listenerconfig';
import { parseMailLog } from './maillog';
import { parseShowconfig } from './showconfig';
import { parseSslconfig } from './sslconfig';
import { parseStatus } from './status';
import { parseTophosts } from './tophosts';
import { parseVersion } from './version';

export type { ParseOptions, ParseOutcome } from './common';
export { judgeAnonymous } from './sslconfig';
export {
  parseHoststatus,
  parseInterfaceconfig,
  parseListenerconfig,
  parseMailLog,
  parseShowconfig,
  parseSslconfig,
  parseStatus,
  parseTophosts,
  parseVersion,
};

/** Kinds `cpq-monitor parse` accepts: the command names plus `mail_logs` (grep output). */
export type ParseKind = CommandName | 'mail_logs';

/** Parses one command's output. Unknown output gives `{ ok: false, reason }`, never empty facts. */
export function parseCommandOutput<K extends ParseKind>(
  name: K,
  raw: string,
  opts: ParseOptions = {},
): ParseOutcome<ParsedByCommand[K extends 'mail_logs' ? 'grep' : K]> {
  const out = dispatch(name, raw, opts);
  return out as ParseOutcome<ParsedByCommand[K extends 'mail_logs' ? 'grep' : K]>;
}

function dispatch(name: ParseKind, raw: string, opts: ParseOptions): ParseOutcome<unknown> {
  switch (name) {
    case 'status':
    case 'status detail':
      return parseStatus(raw);
    case 'tophosts':
      return parseTophosts(raw, opts);
    case 'showconfig':
      return parseShowconfig(raw);
    case 'sslconfig':
      return parseSslconfig(raw);
    case 'listenerconfig':
      return parseListenerconfig(raw);
    case 'interfaceconfig':
      return parseInterfaceconfig(raw);
    case 'grep':
    case 'mail_logs':
      return parseMailLog(raw);
    case 'version':
      return parseVersion(raw);
    case 'hoststatus':
      return parseHoststatus(raw);
    default:
      return { ok: false, reason: `no parser for "${String(name)}"` };
  }
}
