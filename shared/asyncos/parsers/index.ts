/** The output parsers, one per command: raw text → facts or why not. Dispatch by command is in ../commands. */
export type { ParseOptions, ParseOutcome } from './common';
export { parseHoststatus } from './hoststatus';
export { parseInterfaceconfig } from './interfaceconfig';
export { parseListenerconfig } from './listenerconfig';
export { parseMailLog } from './maillog';
export { parseShowconfig } from './showconfig';
export { judgeAnonymous, parseSslconfig } from './sslconfig';
export { parseStatus } from './status';
export { parseTophosts } from './tophosts';
export { parseVersion } from './version';
