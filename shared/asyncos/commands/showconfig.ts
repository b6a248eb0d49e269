/** `showconfig`: the configuration XML, passwords masked (listeners, interfaces, TLS, CPQ target). */
import { parseShowconfig } from '../parsers/showconfig';
import { bareCommand, defineCommand } from './define';

export const showconfigCommand = defineCommand({
  name: 'showconfig',
  aliases: [],
  readItem: { takesArg: false },
  // It first asks how to treat passphrases; the reader only ever chooses "mask".
  masksPasswords: true,
  ...bareCommand('showconfig'),
  parse: parseShowconfig,
});
