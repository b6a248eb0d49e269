/**
 * What arrives on the paging topic, read back into typed values: the cycle's alert notifications
 * (the JSON document SNS delivers to Lambda subscribers) and the watchdog's CloudWatch alarm
 * state changes. The alert document is read with its one schema (shared/alerts/document.ts); a
 * document with fields this version does not know is reported as newer, anything else as unknown,
 * never guessed at.
 */
import { z } from 'zod';
import { type AlertNotification, readAlertDocument } from '../alerts/document';

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

/** A message of the paging topic the integrations can render. */
export type KnownTopicMessage =
  | { type: 'alert'; notification: AlertNotification }
  | { type: 'alarm'; alarm: AlarmNotification };

/** One message of the paging topic, classified. */
export type TopicMessage =
  | KnownTopicMessage
  /** An alert document with fields this version does not know: written by a newer cycle. */
  | { type: 'newer'; reason: string }
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
    const doc = readAlertDocument(record);
    if (doc.ok) return { type: 'alert', notification: doc.notification };
    return { type: doc.newer ? 'newer' : 'unknown', reason: doc.reason };
  }
  if ('AlarmName' in record) {
    const alarm = alarmMessage.safeParse(record);
    if (alarm.success) return { type: 'alarm', alarm: alarm.data };
    return { type: 'unknown', reason: 'a CloudWatch alarm message without a valid NewStateValue' };
  }
  return { type: 'unknown', reason: 'neither a cpq-monitor alert document nor a CloudWatch alarm' };
}
