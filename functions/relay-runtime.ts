/**
 * What the alarm relay Lambda does, apart from its handler file (so tests load it without the
 * cold-start environment): configuration from the environment, its SNS client, one event relayed.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { SnsNotifier } from '../shared/alerts/sns-notifier';
import { parseWatchdogCatalog, relayAlarm, type WatchdogCatalog } from '../shared/alerts/watchdog-alarm';
import { ConfigError } from '../shared/errors';
import type { Logger } from '../shared/log';

const envSchema = z.object({
  ALERT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN'),
  WATCHDOG_ALARMS: z.string().min(2),
  RUNBOOK_URL: z.string().min(1),
});

/** The relay's configuration: topic, watchdog catalog, runbook base; a ConfigError names every bad variable. */
export interface RelayConfig {
  topicArn: string;
  catalog: WatchdogCatalog;
  runbookUrl: string;
}

/** Reads and validates the relay's environment (once, at cold start). */
export function relayConfigFromEnv(env: NodeJS.ProcessEnv): RelayConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid Lambda environment: ${problems.join('; ')}`);
  }
  return {
    topicArn: parsed.data.ALERT_TOPIC_ARN,
    catalog: parseWatchdogCatalog(parsed.data.WATCHDOG_ALARMS),
    runbookUrl: parsed.data.RUNBOOK_URL,
  };
}

/**
 * The relay's SNS client. One factory so the client settings (timeouts, retries) change in one
 * place; the SDK's standard retry mode retries throttling and 5xx before the handler sees an error.
 */
export function createRelaySnsClient(): SNSClient {
  return new SNSClient({ maxAttempts: 3 });
}

/** Relays one event and logs what it did (verify --fire-alarm looks for the `alarm relayed` line). */
export async function handleAlarmEvent(event: unknown, config: RelayConfig, sns: SNSClient, logger?: Logger) {
  const notifier = new SnsNotifier(sns, { topicArn: config.topicArn });
  const detail = (event as { detail?: { alarmName?: unknown; state?: { value?: unknown } } } | null)?.detail;
  try {
    const outcome = await relayAlarm(event, config.catalog, config.runbookUrl, notifier);
    logger?.info(
      { alarm: detail?.alarmName, alarmState: detail?.state?.value, ...outcome },
      outcome.status === 'sent' ? 'alarm relayed' : 'alarm ignored',
    );
    return outcome;
  } catch (err) {
    logger?.error({ alarm: detail?.alarmName, alarmState: detail?.state?.value, err }, 'alarm not relayed');
    throw err;
  }
}
