/** `showconfig`: the configuration XML, passwords masked (listeners, interfaces, TLS, CPQ target). */
import { parseShowconfig } from '../parsers/showconfig';
import { bareCommand } from './define';

// It first asks how to treat passphrases; the reader only ever chooses "mask".
export const showconfigCommand = bareCommand('showconfig', parseShowconfig, { masksPasswords: true });
