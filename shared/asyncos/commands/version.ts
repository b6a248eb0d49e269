/** `version`: product, model, AsyncOS version, serial number. */
import { parseVersion } from '../parsers/version';
import { bareCommand, defineCommand } from './define';

export const versionCommand = defineCommand({
  name: 'version',
  aliases: [],
  readItem: { takesArg: false },
  ...bareCommand('version'),
  parse: parseVersion,
});
