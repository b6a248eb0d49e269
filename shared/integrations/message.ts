/**
 * What arrives on the paging topic, read back into typed values: the cycle's alert notifications
 * (the JSON document SNS delivers to Lambda subscribers) and the watchdog's CloudWatch alarm
 * state changes. Anything else is reported as unknown, never guessed at.
 */
import { z } from 'zod';
import { documentOf } from '../alerts/format';
import type { AlertNotification } from '../alerts/notifier';

/** The `schema` value of the alert document (shared/alerts/format.ts). */
export const ALERT_DOCUMENT_SCHEMA = 'cpq-monitor/alert-notification/1';

const severity = z.enum(['critical', 'warning', 'info']);
const text = z.string().max(100_000);

// Not strict: a newer cycle may add fields (those are ignored here, never refused).
const alertDocument = z.object({
  schema: z.literal(ALERT_DOCUMENT_SCHEMA),
  notificationId: text.min(1),
  kind: z.enum(['page', 'escalation', 'reminder', 'recovery']),
  alertId: text.min(1),
  appliance: text.min(1),
  check: text.min(1),
  severity,
  previousSeverity: severity.optional(),
  state: z.enum(['alarm', 'ok']),
  summary: text,
  evidence: z.array(text).max(1000),
  remediation: z.array(text).max(1000),
  runbookUrl: text,
  since: text,
  at: text,
  deferredBy: text.optional(),
  subject: text.optional(),
});

/** The fields of a CloudWatch alarm notification the integrations use. */
const alarmMessage = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AlarmArn: z.string().optional(),
  NewStateValue: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  OldStateValue: z.string().optional(),
  NewStateReason: z.string().optional(),
  StateChangeTime: z.string().optional(),
  Region: z.string().optional(),
  AWSAccountId: z.string().optional(),
});

/** A CloudWatch alarm state change (the watchdog's alarms publish these to the topic). */
export type AlarmNotification = z.infer<typeof alarmMessage>;

/** One message of the paging topic, classified. */
export type TopicMessage =
  | { type: 'alert'; notification: AlertNotification }
  | { type: 'alarm'; alarm: AlarmNotification }
  | { type: 'unknown'; reason: string };

/** Classifies the text of one SNS message (the `Message` of an SNS record). */
export function parseTopicMessage(message: string): TopicMessage {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { type: 'unknown', reason: 'the message is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { type: 'unknown', reason: 'the message is not a JSON object' };
  }
  const record = json as Record<string, unknown>;
  if ('schema' in record) {
    const doc = alertDocument.safeParse(record);
    if (!doc.success) {
      return {
        type: 'unknown',
        reason: `not a valid ${ALERT_DOCUMENT_SCHEMA} document: ${doc.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
          .join('; ')}`,
      };
    }
    const { schema: _schema, subject: _subject, ...notification } = doc.data;
    return { type: 'alert', notification: notification as AlertNotification };
  }
  if ('AlarmName' in record) {
    const alarm = alarmMessage.safeParse(record);
    if (alarm.success) return { type: 'alarm', alarm: alarm.data };
    return { type: 'unknown', reason: 'a CloudWatch alarm message without a valid NewStateValue' };
  }
  return { type: 'unknown', reason: 'neither a cpq-monitor alert document nor a CloudWatch alarm' };
}

/** The document a Lambda subscriber receives for a notification (for tests and previews). */
export function lambdaMessageOf(n: AlertNotification): string {
  return JSON.stringify(documentOf(n));
}
