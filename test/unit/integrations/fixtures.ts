/** Notifications as the alert engine makes them, and the message SNS delivers to a Lambda subscriber. */
import type { AlertNotification } from '../../../shared/alerts/notifier';
import { snsPublishInput } from '../../../shared/alerts/sns-notifier';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts';
const T0 = Date.parse('2026-03-02T10:00:00.000Z');

/** An ISO instant `minutes` after the incident's start. */
export function minutesIn(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

/** A page (override any field for the other kinds). */
export function notification(over: Partial<AlertNotification> = {}): AlertNotification {
  return {
    notificationId: 'esa1/outbound_ciphers_allow_anonymous#1',
    kind: 'page',
    alertId: 'esa1/outbound_ciphers_allow_anonymous',
    appliance: 'esa1',
    check: 'outbound_ciphers_allow_anonymous',
    severity: 'critical',
    state: 'alarm',
    summary: 'esa1: outbound cipher list allows anonymous (aNULL) suites',
    evidence: [
      '`sslconfig` outbound ciphers: aNULL:HIGH:MEDIUM:-SSLv2',
      'a CPQ peer that accepts an anonymous suite sends no certificate: "verify error: no certificate from server"',
    ],
    remediation: [
      "esa1's outbound cipher list can negotiate an anonymous (aNULL) suite",
      'On esa1: `sslconfig` → OUTBOUND: append `:-aNULL` to the cipher list',
      'On esa1: `commit`',
    ],
    runbookUrl: 'https://wiki.example.com/cpq/runbook.md#outbound_ciphers_allow_anonymous',
    since: minutesIn(0),
    at: minutesIn(1),
    ...over,
  };
}

/** One incident as on-call sees it: page, reminder, escalation, recovery (same alert id). */
export function incident(): AlertNotification[] {
  const id = 'esa1/outbound_ciphers_allow_anonymous';
  return [
    notification({ kind: 'page', severity: 'warning', notificationId: `${id}#1` }),
    notification({ kind: 'reminder', severity: 'warning', notificationId: `${id}#2`, at: minutesIn(61) }),
    notification({
      kind: 'escalation',
      severity: 'critical',
      previousSeverity: 'warning',
      notificationId: `${id}#3`,
      at: minutesIn(70),
    }),
    notification({ kind: 'recovery', state: 'ok', notificationId: `${id}#4`, at: minutesIn(100) }),
  ];
}

/** The `Message` an SNS Lambda subscription receives for a notification the cycle publishes. */
export function lambdaMessage(n: AlertNotification): string {
  const message = JSON.parse(snsPublishInput(TOPIC, n).Message!) as Record<string, string>;
  return message.lambda!;
}

/** A CloudWatch alarm notification as the watchdog's alarms publish it. */
export function alarmMessage(
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA',
  over: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    AlarmName: 'CpqMonitor-ProbeHeartbeatMissing',
    AlarmDescription:
      'The probe cycle stopped reporting. Runbook: https://git.example.com/ops/cpq-monitor/blob/main/docs/deploy.md#watchdog-heartbeat-missing',
    AWSAccountId: '123456789012',
    NewStateValue: state,
    NewStateReason: 'Threshold Crossed: 1 datapoint [0.0] was less than the threshold (2.0).',
    StateChangeTime: '2026-03-02T10:05:00.000+0000',
    Region: 'EU (Ireland)',
    AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:CpqMonitor-ProbeHeartbeatMissing',
    OldStateValue: state === 'OK' ? 'ALARM' : 'OK',
    Trigger: { MetricName: 'MonitorHeartbeat', Namespace: 'CPQMonitor' },
    ...over,
  });
}
