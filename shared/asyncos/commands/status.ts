/** `status` and `status detail`: system state, counters and gauges (one parser reads both layouts). */
import { parseStatus } from '../parsers/status';
import { bareCommand } from './define';

export const statusCommand = bareCommand('status', parseStatus);

/** Everything `status` shows, plus rates. */
export const statusDetailCommand = bareCommand('status detail', parseStatus, { aliases: ['status-detail'] });
