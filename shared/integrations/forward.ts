/**
 * The forwarder's one step: a message of the paging topic, sent on to one integration. Messages
 * it cannot use are reported and dropped; failures worth retrying throw (the Lambda's async
 * retries, then its dead-letter queue, take it from there).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CpqMonitorError, errorMessage } from '../errors';
import { chatbotAlarmOf, chatbotNotificationOf, chatbotProblems } from './chatbot';
import { parseTopicMessage } from './message';
import {
  type PagerDutyClientOptions,
  pagerDutyAlarmEventOf,
  pagerDutyEventOf,
  sendPagerDutyEvent,
} from './pagerduty';

/** Where a forwarder sends. */
export type Destination = 'chatbot' | 'pagerduty';

/** What happened to one message; logged by the handler, one record per message. */
export type ForwardOutcome =
  | { status: 'sent'; destination: Destination; what: string; dedupKey?: string; action?: string }
  /** Nothing to send for this message (e.g. an alarm going to INSUFFICIENT_DATA). */
  | { status: 'skipped'; destination: Destination; what: string; reason: string }
  /** Cannot be sent, and sending again cannot help: dropped, with why. */
  | { status: 'rejected'; destination: Destination; what: string; reason: string; errors?: string[] };

/** The Chatbot side: its topic and an SNS client. */
export interface ChatbotTarget {
  sns: SNSClient;
  topicArn: string;
}

/** The PagerDuty side: the routing key (read from Secrets Manager on demand) and the endpoint. */
export interface PagerDutyTarget extends PagerDutyClientOptions {
  routingKey: () => Promise<string>;
}

/** Publishing to the Chatbot topic failed: SNS retries are exhausted, the Lambda retries next. */
export class ChatbotPublishError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('chatbot_publish_failed', message, options);
  }
}

/** Forwards one topic message to Chatbot (re-rendered as a custom notification, on its own topic). */
export async function forwardToChatbot(message: string, target: ChatbotTarget): Promise<ForwardOutcome> {
  const parsed = parseTopicMessage(message);
  if (parsed.type === 'unknown') {
    return { status: 'rejected', destination: 'chatbot', what: 'unknown message', reason: parsed.reason };
  }
  const what =
    parsed.type === 'alert'
      ? `${parsed.notification.kind} ${parsed.notification.notificationId}`
      : `alarm ${parsed.alarm.AlarmName} ${parsed.alarm.NewStateValue}`;
  const doc =
    parsed.type === 'alert' ? chatbotNotificationOf(parsed.notification) : chatbotAlarmOf(parsed.alarm);
  const problems = chatbotProblems(doc);
  if (problems.length > 0) {
    // A renderer bug, not the message's fault: retrying would fail the same way.
    return {
      status: 'rejected',
      destination: 'chatbot',
      what,
      reason: `rendered notification invalid: ${problems.join('; ')}`,
    };
  }
  try {
    await target.sns.send(new PublishCommand({ TopicArn: target.topicArn, Message: JSON.stringify(doc) }));
  } catch (err) {
    throw new ChatbotPublishError(`publishing ${what} to the Chatbot topic failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  return { status: 'sent', destination: 'chatbot', what };
}

/** Forwards one topic message to PagerDuty: trigger, or resolve on a recovery (or an alarm's OK). */
export async function forwardToPagerDuty(message: string, target: PagerDutyTarget): Promise<ForwardOutcome> {
  const parsed = parseTopicMessage(message);
  if (parsed.type === 'unknown') {
    return { status: 'rejected', destination: 'pagerduty', what: 'unknown message', reason: parsed.reason };
  }
  const key = await target.routingKey();
  const what =
    parsed.type === 'alert'
      ? `${parsed.notification.kind} ${parsed.notification.notificationId}`
      : `alarm ${parsed.alarm.AlarmName} ${parsed.alarm.NewStateValue}`;
  const event =
    parsed.type === 'alert'
      ? pagerDutyEventOf(parsed.notification, key)
      : pagerDutyAlarmEventOf(parsed.alarm, key);
  if (event === undefined) {
    return {
      status: 'skipped',
      destination: 'pagerduty',
      what,
      reason: 'no PagerDuty event for this alarm state',
    };
  }
  const result = await sendPagerDutyEvent(event, target);
  if (result.outcome === 'rejected') {
    return {
      status: 'rejected',
      destination: 'pagerduty',
      what,
      reason: `PagerDuty refused the ${event.event_action} (HTTP ${result.status}): ${result.message}`,
      errors: result.errors,
    };
  }
  return {
    status: 'sent',
    destination: 'pagerduty',
    what,
    dedupKey: event.dedup_key,
    action: event.event_action,
  };
}
