/** `interfaceconfig`: the interface listing (names, addresses, host names), left through its menu. */
import { parseInterfaceconfig } from '../parsers/interfaceconfig';
import { bareCommand, defineCommand } from './define';

export const interfaceconfigCommand = defineCommand({
  name: 'interfaceconfig',
  aliases: [],
  readItem: { takesArg: false },
  ...bareCommand('interfaceconfig'),
  parse: parseInterfaceconfig,
});
