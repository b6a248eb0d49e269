/** `hoststatus HOST`: one destination host's delivery state and counters. */
import { isHostOrAddress } from '../../hostname';
import { parseHoststatus } from '../parsers/hoststatus';
import { allow, argAfter, defineCommand, refuse } from './define';

// Not offered by `read --commands`: it needs a host, given with `read --hoststatus HOST`.
export const hoststatusCommand = defineCommand({
  name: 'hoststatus',
  aliases: [],
  line: ({ arg }) => {
    const host = arg ?? '';
    if (!isHostOrAddress(host)) return refuse(`hoststatus needs a host name or address, got "${host}"`);
    return allow(`hoststatus ${host}`);
  },
  argsOf: argAfter('hoststatus'),
  parse: parseHoststatus,
});
