/** The test page: a critical page published through the real notifier, marked TEST. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SUBJECT_MAX } from '../../alerts/document';
import type { AlertNotification } from '../../alerts/notifier';
import { SnsNotifier } from '../../alerts/sns-notifier';
import { FLEET_APPLIANCE } from '../../alerts/watchdog-alarm';
import { bad, type CheckLine, ok, REDEPLOY_FIX, TOPIC_FIX, type VerifyCheck } from '../check';
import type { VerifyClients } from '../clients';
import { STACK_OUTPUTS } from '../stack';

/** Publishes the test page to the paging topic, unless turned off or the topic is missing. */
export const testPageCheck: VerifyCheck = ({ clients, stack, now, sleep, testPage: wanted }) => {
  const topicArn = stack.outputs[STACK_OUTPUTS.alertTopicArn];
  if (topicArn === undefined || !wanted) return [];
  return [{ check: 'test page', fix: TOPIC_FIX, run: () => testPage(clients, topicArn, now(), sleep) }];
};

/**
 * How long after the test page its recovery is published: SNS does not keep order between two
 * messages, and a resolve PagerDuty receives before its trigger leaves the test incident open.
 */
export const TEST_PAGE_RESOLVE_AFTER_MS = 20_000;

/** The recovery that closes the test page (same alert id: PagerDuty resolves the incident it opened). */
export function testPageRecovery(page: AlertNotification, at: Date): AlertNotification {
  return {
    ...page,
    notificationId: `${page.alertId}#${at.toISOString()}`,
    kind: 'recovery',
    state: 'ok',
    summary: 'TEST page from cpq-monitor verify resolved: nothing was broken',
    remediation: [],
    at: at.toISOString(),
  };
}

/** The test page: a critical page, published exactly as a real one, marked TEST in subject and body. */
export function testPageNotification(at: Date): AlertNotification {
  const iso = at.toISOString();
  return {
    notificationId: `${FLEET_APPLIANCE}/verify_test_page#${iso}`,
    kind: 'page',
    alertId: `${FLEET_APPLIANCE}/verify_test_page`,
    appliance: FLEET_APPLIANCE,
    check: 'verify_test_page',
    severity: 'critical',
    state: 'alarm',
    summary: 'TEST page from cpq-monitor verify: nothing is broken, no action needed',
    evidence: [
      'sent by `cpq-monitor verify` to prove the path to the pager; subscriptions filtered on severity critical receive it',
    ],
    remediation: ['Nothing to fix. verify resolves it about 20 s later.'],
    runbookUrl: 'docs/deploy.md#verify-the-deployment',
    since: iso,
    at: iso,
  };
}

async function testPage(
  clients: VerifyClients,
  topicArn: string,
  at: Date,
  sleep: (ms: number) => Promise<void>,
): Promise<CheckLine[]> {
  // The real notifier (its message, attributes and error handling); the client in between only
  // puts TEST in front of the subject.
  const marking = {
    send: (cmd: PublishCommand) =>
      clients.sns.send(new PublishCommand({ ...cmd.input, Subject: testSubject(cmd.input.Subject ?? '') })),
  } as unknown as SNSClient;
  const notifier = new SnsNotifier(marking, { topicArn });
  const page = testPageNotification(at);
  const result = await notifier.notify(page);
  if (!result.ok) {
    return [bad('test page', 'critical', `${result.code}: ${result.message}`, publishFix(result.code))];
  }
  const seen = `published (message ${result.messageId ?? '?'}), severity critical: every pager subscription should show "TEST CRITICAL ALARM fleet verify_test_page"`;
  await sleep(TEST_PAGE_RESOLVE_AFTER_MS);
  const resolved = await notifier.notify(
    testPageRecovery(page, new Date(at.getTime() + TEST_PAGE_RESOLVE_AFTER_MS)),
  );
  if (!resolved.ok) {
    return [
      bad(
        'test page',
        'warning',
        `${seen}; its recovery failed (${resolved.code}: ${resolved.message}): close the test incident in the pager`,
        publishFix(resolved.code),
      ),
    ];
  }
  return [
    ok(
      'test page',
      `${seen}; resolved ${TEST_PAGE_RESOLVE_AFTER_MS / 1000} s later (message ${resolved.messageId ?? '?'}), which closes a PagerDuty incident it opened`,
    ),
  ];
}

/** `TEST ` in front of a subject, still under SNS's 100 characters. */
function testSubject(subject: string): string {
  return `TEST ${subject}`.slice(0, SUBJECT_MAX);
}

/** What to do about a failed publish, by the SNS/KMS error name. */
export function publishFix(code: string): string {
  if (/^KMS/.test(code) || /KMS/i.test(code)) {
    return 'The topic key is disabled, pending deletion or its policy changed: enable it (kms enable-key) or deploy again';
  }
  if (code === 'AuthorizationError' || code === 'AuthorizationErrorException') {
    return "Your credentials may not publish (sns:Publish on the topic and kms:GenerateDataKey on its key), or the topic policy was changed: deploy again (docs/deploy.md, 'Who may publish to the topics')";
  }
  if (code === 'NotFound' || code === 'NotFoundException') return `The topic is gone: ${REDEPLOY_FIX}`;
  return TOPIC_FIX;
}
