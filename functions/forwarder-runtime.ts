/**
 * The integration forwarder Lambda: subscribed to the paging topic, it sends each message on to
 * one integration (`FORWARD_TO`): AWS Chatbot (re-rendered onto the Chatbot topic) or PagerDuty.
 * One function per integration, so each has its own retries and dead-letter queue and a failure
 * of one never re-sends to another.
 *
 * SNS invokes it asynchronously: a thrown error makes Lambda retry (twice, with back-off) and then
 * put the event in the dead-letter queue. It throws only when retrying can help (429, 5xx, no
 * answer, SNS down, the secret unreadable); a message nobody can deliver is logged and dropped.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { ConfigError } from '../shared/errors';
import {
  type Destination,
  type ForwardOutcome,
  forwardToChatbot,
  forwardToPagerDuty,
} from '../shared/integrations/forward';
import { PAGERDUTY_ENDPOINTS } from '../shared/integrations/pagerduty';
import { routingKeyReader } from '../shared/integrations/routing-key';
import type { Logger } from '../shared/log';

const topicArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN');
const envSchema = z.discriminatedUnion('FORWARD_TO', [
  z.object({ FORWARD_TO: z.literal('chatbot'), CHATBOT_TOPIC_ARN: topicArn }),
  z.object({
    FORWARD_TO: z.literal('pagerduty'),
    PAGERDUTY_SECRET_ID: z.string().min(1),
    PAGERDUTY_REGION: z.enum(['us', 'eu']).default('us'),
  }),
]);

/** The forwarder's configuration. */
export type ForwarderConfig = z.infer<typeof envSchema>;

/** The configuration from the environment, or a ConfigError naming every bad variable. */
export function forwarderConfigFromEnv(env: NodeJS.ProcessEnv): ForwarderConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'FORWARD_TO'}: ${i.message}`);
    throw new ConfigError(`invalid Lambda environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Sends one topic message on; built once per container. */
export type Forward = (message: string) => Promise<ForwardOutcome>;

/** The AWS clients of one container (tests replace them through aws-sdk-client-mock). */
export interface ForwarderClients {
  sns: SNSClient;
  secretsManager: SecretsManagerClient;
}

/** Clients with the SDK's standard retries; region from the Lambda environment. */
export function createForwarderClients(): ForwarderClients {
  return { sns: new SNSClient({}), secretsManager: new SecretsManagerClient({}) };
}

/** The forward step for the configured integration (the PagerDuty endpoint follows its region). */
export function forwarderFor(config: ForwarderConfig, clients: ForwarderClients): Forward {
  if (config.FORWARD_TO === 'chatbot') {
    const target = { sns: clients.sns, topicArn: config.CHATBOT_TOPIC_ARN };
    return (message) => forwardToChatbot(message, target);
  }
  const target = {
    url: PAGERDUTY_ENDPOINTS[config.PAGERDUTY_REGION],
    routingKey: routingKeyReader(clients.secretsManager, config.PAGERDUTY_SECRET_ID),
  };
  return (message) => forwardToPagerDuty(message, target);
}

/**
 * Handles one SNS event (SNS sends one record per invocation; more are handled in turn). Logs one
 * record per message; throws the first retryable failure after trying every record.
 */
export async function handleForwarderEvent(
  event: SNSEvent,
  context: Pick<Context, 'awsRequestId'>,
  destination: Destination,
  forward: Forward,
  logger: Logger,
): Promise<{ sent: number; skipped: number; rejected: number }> {
  const totals = { sent: 0, skipped: 0, rejected: 0 };
  let failure: unknown;
  for (const record of event.Records ?? []) {
    const messageId = record.Sns?.MessageId;
    try {
      const outcome = await forward(record.Sns?.Message ?? '');
      totals[outcome.status]++;
      const line = { ...outcome, messageId, requestId: context.awsRequestId };
      if (outcome.status === 'rejected')
        logger.error(line, `${destination}: message dropped, retrying cannot help`);
      else logger.info(line, `${destination}: ${outcome.status}`);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      logger.warn(
        {
          destination,
          messageId,
          requestId: context.awsRequestId,
          code: e.code ?? 'error',
          error: e.message,
        },
        `${destination}: failed, Lambda retries the event`,
      );
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
  return totals;
}
