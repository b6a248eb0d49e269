/**
 * The integration forwarder Lambda: subscribed to the paging topic, it sends each message on to
 * one integration of the registry (`FORWARD_TO`), e.g. AWS Chatbot (re-rendered onto the Chatbot
 * topic) or PagerDuty. One function per integration, so each has its own retries and dead-letter
 * queue and a failure of one never re-sends to another.
 *
 * SNS invokes it asynchronously: a thrown error makes Lambda retry (twice, with back-off) and then
 * put the event in the dead-letter queue. It throws only when retrying can help (429, 5xx, no
 * answer, SNS down, the secret unreadable, a document from a newer cycle); a message nobody can
 * deliver is logged and dropped.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { awsClientConfig } from '../shared/aws/client-config';
import { type ForwardOutcome, forwardMessage } from '../shared/integrations/forward';
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
