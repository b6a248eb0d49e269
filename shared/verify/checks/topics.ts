/** The paging and fallback topics: each exists, is encrypted and has confirmed subscriptions. */
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { bad, type CheckLine, ok, REDEPLOY_FIX, TOPIC_FIX, type VerifyCheck } from '../check';
import type { VerifyClients } from '../clients';
import { STACK_OUTPUTS } from '../stack';

/** The paging topic; a stack without one fails the line. */
export const pagingTopicCheck: VerifyCheck = ({ clients, stack }) => {
  const topicArn = stack.outputs[STACK_OUTPUTS.alertTopicArn];
  if (topicArn === undefined) {
    const line = bad('paging topic', 'critical', 'the stack has no AlertTopicArn output', REDEPLOY_FIX);
    return [{ check: 'paging topic', fix: TOPIC_FIX, run: async () => [line] }];
  }
  return [
    { check: 'paging topic', fix: TOPIC_FIX, run: () => topicLines(clients, 'paging topic', topicArn, true) },
  ];
};

/** The fallback topic; none configured is a warning (nobody hears of a broken paging topic). */
export const fallbackTopicCheck: VerifyCheck = ({ clients, stack }) => {
  const fallbackArn = stack.outputs[STACK_OUTPUTS.fallbackTopicArn];
  if (fallbackArn === undefined) {
    const line = bad(
      'fallback topic',
      'warning',
      'none configured: if the paging topic breaks, nobody is told',
      'Set deploy.fallback (an e-mail address or phone independent of the pager) and deploy again (docs/deploy.md, "When the paging topic itself is broken")',
    );
    return [{ check: 'fallback topic', fix: TOPIC_FIX, run: async () => [line] }];
  }
  return [
    {
      check: 'fallback topic',
      fix: TOPIC_FIX,
      run: () => topicLines(clients, 'fallback topic', fallbackArn, false),
    },
  ];
};

/** The topic exists, is encrypted, and has confirmed subscriptions: one line per protocol. */
async function topicLines(
  clients: VerifyClients,
  what: string,
  topicArn: string,
  pager: boolean,
): Promise<CheckLine[]> {
  const attrs = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
  const lines: CheckLine[] = [];
  const key = attrs.Attributes?.KmsMasterKeyId;
  lines.push(ok(what, `${topicArn} exists${key ? ', KMS-encrypted' : ''}`));
  const byProtocol = new Map<string, { confirmed: number; pending: number }>();
  let token: string | undefined;
  do {
    const page = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(token ? { NextToken: token } : {}) }),
    );
    for (const s of page.Subscriptions ?? []) {
      const p = s.Protocol ?? '?';
      const entry = byProtocol.get(p) ?? { confirmed: 0, pending: 0 };
      if (s.SubscriptionArn === 'PendingConfirmation') entry.pending += 1;
      else if (s.SubscriptionArn?.startsWith('arn:')) entry.confirmed += 1;
      byProtocol.set(p, entry);
    }
    token = page.NextToken;
  } while (token);
  const confirmed = [...byProtocol.values()].reduce((n, e) => n + e.confirmed, 0);
  if (confirmed === 0) {
    lines.push(
      bad(
        `${what} subscriptions`,
        'critical',
        byProtocol.size === 0 ? 'none: nobody receives anything' : 'none confirmed: nobody receives anything',
        pager
          ? 'Add deploy.subscriptions (or subscribe a pager, docs/deploy.md "Subscribe a pager") and confirm each e-mail subscription from the mail SNS sent'
          : 'Confirm the subscription from the mail SNS sent to the deploy.fallback address',
      ),
    );
  }
  for (const [protocol, e] of [...byProtocol].sort()) {
    const detail = `${e.confirmed} confirmed, ${e.pending} pending confirmation`;
    lines.push(
      e.pending > 0
        ? bad(
            `${what} subscriptions (${protocol})`,
            'warning',
            detail,
            protocol === 'email'
              ? 'Each pending address must click the link in the confirmation mail from SNS (resend: delete and deploy again)'
              : 'The endpoint must confirm the subscription (PagerDuty and Opsgenie do it themselves; check the integration URL)',
          )
        : ok(`${what} subscriptions (${protocol})`, detail),
    );
  }
  return lines;
}
