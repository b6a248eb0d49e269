/** `status` and `status detail`: system state, counters and gauges (one parser reads both layouts). */
import { parseStatus } from '../parsers/status';
import { bareCommand, defineCommand } from './define';

export const statusCommand = defineCommand({
  name: 'status',
  aliases: [],
  readItem: { takesArg: false },
  ...bareCommand('status'),
  parse: parseStatus,
});

/** Everything `status` shows, plus rates. */
export const statusDetailCommand = defineCommand({
  name: 'status detail',
  aliases: ['status-detail'],
  readItem: { takesArg: false },
  ...bareCommand('status detail'),
  parse: parseStatus,
});
