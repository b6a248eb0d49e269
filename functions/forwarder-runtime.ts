/**
 * The integration forwarder Lambda: subscribed to the paging topic, it sends each message on to
 * one integration of the registry (`FORWARD_TO`), e.g. AWS Chatbot (re-rendered onto the Chatbot
 * topic) or PagerDuty. One function per integration, so each has its own retries and dead-letter
 * queue and a failure of one never re-sends to another.
 *
 * SNS invokes it asynchronously: a thrown error makes Lambda retry (twice, with back-off) and then
 * put the event in the dead-letter queue. It throws only when retrying can help (429, 5xx, no
 * answer, SNS down, the secret unreadable, a document from a newer cycle). A message the
 * integration refused for good (a 4xx other than 429; a 404 after its retries) is not dropped
 * quietly: it goes whole to the same dead-letter queue and counts in the `IntegrationRejected`
 * metric, whose alarm notifies on-call (docs/deploy.md#integration-failures).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { awsClientConfig } from '../shared/aws/client-config';
import {
  type ForwardOutcome,
  forwardMessage,
  INTEGRATION_REJECTED_METRIC,
} from '../shared/integrations/forward';
import { type AnyIntegration, envSettings, type ForwarderClients } from '../shared/integrations/integration';
import { INTEGRATION_NAMES, INTEGRATIONS, type IntegrationName } from '../shared/integrations/registry';
import type { Logger } from '../shared/log';

/** The forwarder's configuration: `FORWARD_TO` and the chosen integration's own variables. */
export type ForwarderConfig = { FORWARD_TO: IntegrationName } & Record<string, unknown>;

const forwardTo = z.object({ FORWARD_TO: z.enum(INTEGRATION_NAMES) });

/** The configuration from the environment, or a ConfigError naming every bad variable. */
export function forwarderConfigFromEnv(env: NodeJS.ProcessEnv): ForwarderConfig {
  const { FORWARD_TO } = envSettings(forwardTo, env);
  // Each integration checks its own variables.
  const integration: AnyIntegration = INTEGRATIONS[FORWARD_TO];
  const settings = integration.settingsFromEnv(env) as Record<string, unknown>;
  return { FORWARD_TO, ...settings };
}

/** Sends one topic message on; built once per container. */
export type Forward = (message: string) => Promise<ForwardOutcome>;

/** Clients with the SDK's standard retries; region from the Lambda environment. */
export function createForwarderClients(): ForwarderClients {
  return {
    sns: new SNSClient(awsClientConfig()),
    secretsManager: new SecretsManagerClient(awsClientConfig()),
  };
}

/** What the forwarder does with a message the integration refused for good. */
export type OnRejected = (
  message: string,
  outcome: Extract<ForwardOutcome, { status: 'rejected' }>,
) => Promise<void>;

const deadLetterEnv = z.object({
  DEAD_LETTER_QUEUE_URL: z.string().url(),
  METRICS_NAMESPACE: z.string().min(1),
});

/** Where refused messages go and the namespace of their metric; a ConfigError names a bad variable. */
export function deadLetterConfigFromEnv(env: NodeJS.ProcessEnv): z.infer<typeof deadLetterEnv> {
  return envSettings(deadLetterEnv, env);
}

/**
 * Puts a refused message, whole, into the dead-letter queue (with its destination and reason as
 * attributes) and writes one `IntegrationRejected` data point as a CloudWatch embedded-metric
 * line to `write`. A failed send throws: Lambda then retries the event, and after its retries the
 * event lands in the same queue through the function's own dead-letter configuration.
 */
export function deadLetterRejected(
  sqs: SQSClient,
  queueUrl: string,
  namespace: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): OnRejected {
  return async (message, outcome) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message,
        MessageAttributes: {
          destination: { DataType: 'String', StringValue: outcome.destination },
          reason: { DataType: 'String', StringValue: outcome.reason.slice(0, 1000) || 'rejected' },
        },
      }),
    );
    write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [[]],
              Metrics: [{ Name: INTEGRATION_REJECTED_METRIC, Unit: 'Count' }],
            },
          ],
        },
        [INTEGRATION_REJECTED_METRIC]: 1,
        destination: outcome.destination,
      }),
    );
  };
}

/** The forward step for the configured integration. */
export function forwarderFor(config: ForwarderConfig, clients: ForwarderClients): Forward {
  const integration: AnyIntegration = INTEGRATIONS[config.FORWARD_TO];
  // Checked again here, so a configuration built by hand cannot skip the integration's checks.
  const target = integration.connect(integration.settingsFromEnv(config as NodeJS.ProcessEnv), clients);
  return (message) => forwardMessage(message, integration, target);
}

/**
 * Handles one SNS event (SNS sends one record per invocation; more are handled in turn). Logs one
 * record per message; throws the first retryable failure after trying every record.
 */
export async function handleForwarderEvent(
  event: SNSEvent,
  context: Pick<Context, 'awsRequestId'>,
  destination: string,
  forward: Forward,
  logger: Logger,
  onRejected?: OnRejected,
): Promise<{ sent: number; skipped: number; rejected: number }> {
  const totals = { sent: 0, skipped: 0, rejected: 0 };
  let failure: unknown;
  for (const record of event.Records ?? []) {
    const messageId = record.Sns?.MessageId;
    try {
      const outcome = await forward(record.Sns?.Message ?? '');
      if (outcome.status === 'rejected') await onRejected?.(record.Sns?.Message ?? '', outcome);
      totals[outcome.status]++;
      const line = { ...outcome, messageId, requestId: context.awsRequestId };
      if (outcome.status === 'rejected')
        logger.error(
          line,
          `${destination}: refused, retrying cannot help${onRejected ? ': kept in the dead-letter queue' : ''}`,
        );
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
