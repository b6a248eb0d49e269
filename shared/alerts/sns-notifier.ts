/**
 * Delivers notifications through an SNS topic with one message per protocol
 * (`MessageStructure: 'json'`): a readable e-mail, a one-line SMS and a JSON document for
 * HTTPS/Lambda/SQS subscribers. Message attributes let each subscription filter (e.g. SMS for
 * critical pages only).
 */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { type CallOptions, isAbortError } from '../aws/client-config';
import { errorMessage } from '../errors';
import { DOCUMENT_LINES, SNS_MESSAGE_BUDGET } from './document';
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

function messageOf(n: AlertNotification): string {
  const doc = JSON.stringify(documentOf(n));
  return JSON.stringify({
    default: `${subjectOf(n)}\n\n${emailBodyOf(n)}`,
    email: emailBodyOf(n),
    'email-json': doc,
    sms: smsOf(n),
    http: doc,
    https: doc,
    lambda: doc,
    sqs: doc,
  });
}

/** The notification with only the first `keep` lines of `field`, and a line saying so. */
function keepFirst(n: AlertNotification, field: 'evidence' | 'remediation', keep: number): AlertNotification {
  const lines = n[field];
  if (keep >= lines.length) return n;
  const note = `(${lines.length - keep} more ${field} lines left out to fit the SNS message size limit)`;
  return { ...n, [field]: [...lines.slice(0, keep), note] };
}

/** The Message within SNS_MESSAGE_BUDGET: evidence, then remediation, shortened until it fits. */
function fittedMessage(n: AlertNotification): string {
  let message = messageOf(n);
  let shown = n;
  for (const field of ['evidence', 'remediation'] as const) {
    // The formats show at most DOCUMENT_LINES of either; halve from there.
    let keep = Math.min(n[field].length, DOCUMENT_LINES);
    while (Buffer.byteLength(message) > SNS_MESSAGE_BUDGET && keep > 0) {
      keep = Math.floor(keep / 2);
      const next = keepFirst(shown, field, keep);
      message = messageOf(next);
      if (keep === 0) shown = next;
    }
    if (Buffer.byteLength(message) <= SNS_MESSAGE_BUDGET) return message;
  }
  return message;
}

/** The PublishCommand input for one notification (exported for tests and previews). */
export function snsPublishInput(topicArn: string, n: AlertNotification): PublishCommandInput {
  const attr = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    TopicArn: topicArn,
    Subject: subjectOf(n),
    MessageStructure: 'json',
    Message: fittedMessage(n),
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
  async notify(n: AlertNotification, options: CallOptions = {}): Promise<NotifyResult> {
    try {
      const res = await this.client.send(
        new PublishCommand(snsPublishInput(this.options.topicArn, n)),
        options,
      );
      return res.MessageId === undefined ? { ok: true } : { ok: true, messageId: res.MessageId };
    } catch (err) {
      if (isAbortError(err)) {
        // Cut by the cycle's deadline: SNS did not answer in time (the SDK's own attempts are bounded).
        return {
          ok: false,
          code: 'deadline_exceeded',
          message: `no answer from SNS before the cycle's deadline (${errorMessage(err)})`,
          retryable: true,
        };
      }
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
