/** `listenerconfig`: the listener listing (the hidden cpq_listener is not in it), left through its menu. */
import { parseListenerconfig } from '../parsers/listenerconfig';
import { bareCommand } from './define';
import { OPERATION_MENU } from './menus';

export const listenerconfigCommand = bareCommand('listenerconfig', parseListenerconfig, {
  menus: [OPERATION_MENU],
});
