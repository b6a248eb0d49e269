/** Lambda: forwards the paging topic's messages to one integration (AWS Chatbot or PagerDuty). */
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { createLogger } from '../shared/log';
import {
  createForwarderClients,
  forwarderConfigFromEnv,
  forwarderFor,
  handleForwarderEvent,
} from './forwarder-runtime';

const config = forwarderConfigFromEnv(process.env);
const forward = forwarderFor(config, createForwarderClients());
const logger = createLogger('cpq-monitor-forwarder');

// middy without middleware, on purpose: why is at the top of runtime.ts.
export const handler = middy<SNSEvent>().handler((event: SNSEvent, context: Context) =>
  handleForwarderEvent(event, context, config.FORWARD_TO, forward, logger),
);
