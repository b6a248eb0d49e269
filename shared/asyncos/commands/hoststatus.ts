/** `hoststatus HOST`: one destination host's delivery state and counters. */
import { isIP } from 'node:net';
import { parseHoststatus } from '../parsers/hoststatus';
import { allow, argAfter, defineCommand, refuse } from './define';

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

// Not offered by `read --commands`: it needs a host, given with `read --hoststatus HOST`.
export const hoststatusCommand = defineCommand({
  name: 'hoststatus',
  aliases: [],
  line: ({ arg }) => {
    const host = arg ?? '';
    if (isIP(host) === 0 && !HOSTNAME.test(host))
      return refuse(`hoststatus needs a host name or address, got "${host}"`);
    return allow(`hoststatus ${host}`);
  },
  argsOf: argAfter('hoststatus'),
  parse: parseHoststatus,
});
