/** `listenerconfig`: the listener listing (the hidden cpq_listener is not in it), left through its menu. */
import { parseListenerconfig } from '../parsers/listenerconfig';
import { bareCommand, defineCommand } from './define';

export const listenerconfigCommand = defineCommand({
  name: 'listenerconfig',
  aliases: [],
  readItem: { takesArg: false },
  ...bareCommand('listenerconfig'),
  parse: parseListenerconfig,
});
