/** `listenerconfig`: the listener listing (the hidden cpq_listener is not in it), left through its menu. */
import { parseListenerconfig } from '../parsers/listenerconfig';
import { bareCommand } from './define';

export const listenerconfigCommand = bareCommand('listenerconfig', parseListenerconfig);
