/** `version`: product, model, AsyncOS version, serial number. */
import { parseVersion } from '../parsers/version';
import { bareCommand } from './define';

export const versionCommand = bareCommand('version', parseVersion);
