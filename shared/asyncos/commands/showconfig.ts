/** `showconfig`: the configuration XML, passwords masked (listeners, interfaces, TLS, CPQ target). */
import { parseShowconfig } from '../parsers/showconfig';
import { bareCommand } from './define';
import { SHOWCONFIG_MENUS } from './menus';

// It first asks how to treat passphrases; the reader only ever chooses "mask", and only when the
// question reads exactly as expected.
export const showconfigCommand = bareCommand('showconfig', parseShowconfig, { menus: SHOWCONFIG_MENUS });
