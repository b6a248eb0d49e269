/**
 * Lambda: relays the stack's watchdog alarm state changes (EventBridge) to the paging topic as
 * ordinary notifications with message attributes (shared/alerts/watchdog-alarm.ts says why). A
 * failed publish throws: Lambda retries the event, then leaves it in the failure queue.
 */
import middy from '@middy/core';
import { createLogger } from '../shared/log';
import { createRelaySnsClient, handleAlarmEvent, relayConfigFromEnv } from './relay-runtime';

const config = relayConfigFromEnv(process.env);
const sns = createRelaySnsClient();
const logger = createLogger('cpq-monitor-alarm-relay');

// middy without middleware, as the cycle handlers (functions/runtime.ts says why).
export const handler = middy().handler((event: unknown) => handleAlarmEvent(event, config, sns, logger));
