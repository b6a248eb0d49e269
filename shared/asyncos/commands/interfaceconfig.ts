/** `interfaceconfig`: the interface listing (names, addresses, host names), left through its menu. */
import { parseInterfaceconfig } from '../parsers/interfaceconfig';
import { bareCommand } from './define';

export const interfaceconfigCommand = bareCommand('interfaceconfig', parseInterfaceconfig);
