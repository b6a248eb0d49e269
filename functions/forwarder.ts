/** Lambda: forwards the paging topic's messages to one integration (AWS Chatbot or PagerDuty). */

import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { awsClientConfig } from '../shared/aws/client-config';
import { createLogger } from '../shared/log';
import {
  createForwarderClients,
  deadLetterConfigFromEnv,
  deadLetterRejected,
  forwarderConfigFromEnv,
  forwarderFor,
  handleForwarderEvent,
} from './forwarder-runtime';

const config = forwarderConfigFromEnv(process.env);
const forward = forwarderFor(config, createForwarderClients());
const logger = createLogger('cpq-monitor-forwarder');
const dlq = deadLetterConfigFromEnv(process.env);
const onRejected = deadLetterRejected(
  new SQSClient(awsClientConfig()),
  dlq.DEAD_LETTER_QUEUE_URL,
  dlq.METRICS_NAMESPACE,
);

// middy without middleware, on purpose: why is at the top of runtime.ts.
export const handler = middy<SNSEvent>().handler((event: SNSEvent, context: Context) =>
  handleForwarderEvent(event, context, config.FORWARD_TO, forward, logger, onRejected),
);
