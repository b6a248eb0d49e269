/**
 * The forwarder's one step, the same for every integration: a message of the paging topic is
 * classified, rendered by the integration and sent. Messages it cannot use are reported and
 * dropped; failures worth retrying throw (the Lambda's async retries, then its dead-letter queue,
 * take it from there).
 */
import { CpqMonitorError } from '../errors';
import type { Integration } from './integration';
import { parseTopicMessage } from './message';

/** The metric a refused message counts in (namespace `monitor.namespace`, no dimension). */
export const INTEGRATION_REJECTED_METRIC = 'IntegrationRejected';

/** What happened to one message; logged by the handler, one record per message. */
export type ForwardOutcome =
  | { status: 'sent'; destination: string; what: string; dedupKey?: string; action?: string }
  /** Nothing to send for this message (e.g. an alarm going to INSUFFICIENT_DATA). */
  | { status: 'skipped'; destination: string; what: string; reason: string }
  /** Cannot be sent, and sending again cannot help: dropped, with why. */
  | { status: 'rejected'; destination: string; what: string; reason: string; errors?: string[] };

/**
 * An alert document with fields this forwarder does not know: a newer cycle wrote it, typically
 * while a deploy is under way. Thrown so that Lambda retries (by then the forwarder is updated)
 * and, failing that, the document is kept whole in the dead-letter queue, whose alarm pages.
 */
export class NewerDocumentError extends CpqMonitorError {
  constructor(message: string) {
    super('alert_document_newer', message);
  }
}

/** Forwards one topic message through one integration. */
export async function forwardMessage<Settings, Target, Payload>(
  message: string,
  integration: Integration<Settings, Target, Payload>,
  target: Target,
): Promise<ForwardOutcome> {
  const destination = integration.name;
  const parsed = parseTopicMessage(message);
  if (parsed.type === 'unknown') {
    return { status: 'rejected', destination, what: 'unknown message', reason: parsed.reason };
  }
  if (parsed.type === 'newer') throw new NewerDocumentError(parsed.reason);
  const what =
    parsed.type === 'alert'
      ? `${parsed.notification.kind} ${parsed.notification.notificationId}`
      : `alarm ${parsed.alarm.AlarmName} ${parsed.alarm.NewStateValue}`;
  const rendered = await integration.render(parsed, target);
  if ('skip' in rendered) return { status: 'skipped', destination, what, reason: rendered.skip };
  if ('reject' in rendered) return { status: 'rejected', destination, what, reason: rendered.reject };
  const delivery = await integration.send(rendered.payload, target, what);
  if (delivery.status === 'rejected') {
    const { status: _, ...why } = delivery;
    return { status: 'rejected', destination, what, ...why };
  }
  const { status: _, ...details } = delivery;
  return { status: 'sent', destination, what, ...details };
}
