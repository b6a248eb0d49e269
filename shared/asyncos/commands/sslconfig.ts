/** `sslconfig`: inbound and outbound TLS methods and cipher lists (left through its menu). */
import { parseSslconfig } from '../parsers/sslconfig';
import { bareCommand, defineCommand } from './define';

export const sslconfigCommand = defineCommand({
  name: 'sslconfig',
  aliases: [],
  readItem: { takesArg: false },
  ...bareCommand('sslconfig'),
  parse: parseSslconfig,
});
