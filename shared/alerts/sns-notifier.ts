/**
 * Delivers notifications through an SNS topic with one message per protocol
 * (`MessageStructure: 'json'`): a readable e-mail, a one-line SMS and a JSON document for
 * HTTPS/Lambda/SQS subscribers. Message attributes let each subscription filter (e.g. SMS for
 * critical pages only).
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { errorMessage } from '../errors';
import { documentOf, emailBodyOf, smsOf, subjectOf } from './format';
import type { AlertNotification, Notifier, NotifyResult } from './notifier';

/** Options of the SNS notifier. */
export interface SnsNotifierOptions {
  topicArn: string;
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'InternalErrorException',
  'InternalError',
  'ServiceUnavailable',
  'KMSThrottlingException',
  'TimeoutError',
]);

/** The PublishCommand input for one notification (exported for tests and previews). */
export function snsPublishInput(topicArn: string, n: AlertNotification): PublishCommandInput {
  const doc = JSON.stringify(documentOf(n));
  const message = {
    default: `${subjectOf(n)}\n\n${emailBodyOf(n)}`,
    email: emailBodyOf(n),
    'email-json': doc,
    sms: smsOf(n),
    http: doc,
    https: doc,
    lambda: doc,
    sqs: doc,
  };
  const attr = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    TopicArn: topicArn,
    Subject: subjectOf(n),
    MessageStructure: 'json',
    Message: JSON.stringify(message),
    MessageAttributes: {
      severity: attr(n.severity),
      appliance: attr(n.appliance),
      check: attr(n.check),
      state: attr(n.state),
      kind: attr(n.kind),
    },
  };
}

/** A Notifier publishing to one SNS topic. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly options: SnsNotifierOptions,
  ) {}

  /** {@inheritDoc Notifier.notify} */
  async notify(n: AlertNotification): Promise<NotifyResult> {
    try {
      const res = await this.client.send(new PublishCommand(snsPublishInput(this.options.topicArn, n)));
      return res.MessageId === undefined ? { ok: true } : { ok: true, messageId: res.MessageId };
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
      const code = e.name ?? 'sns_publish_failed';
      const status = e.$metadata?.httpStatusCode ?? 0;
      return {
        ok: false,
        code,
        message: errorMessage(err),
        retryable: RETRYABLE.has(code) || status >= 500 || e.$fault === 'server',
      };
    }
  }
}
