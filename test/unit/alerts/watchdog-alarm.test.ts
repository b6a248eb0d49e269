import { PassThrough } from 'node:stream';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handleAlarmEvent, type RelayConfig, relayConfigFromEnv } from '../../../functions/relay-runtime';
import { ALERT_DOCUMENT_SCHEMA } from '../../../shared/alerts/document';
import { snsPublishInput } from '../../../shared/alerts/sns-notifier';
import {
  parseWatchdogCatalog,
  type WatchdogCatalog,
  watchdogCheck,
  watchdogNotification,
} from '../../../shared/alerts/watchdog-alarm';
import { createLogger } from '../../../shared/log';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:CpqMonitor-Topic';
const ALARM = 'CpqMonitor-probe-heartbeat-missing';
const CATALOG: WatchdogCatalog = {
  [ALARM]: {
    check: 'watchdog_probe_heartbeat_missing',
    severity: 'critical',
    anchor: 'watchdog-heartbeat-missing',
  },
  'CpqMonitor-probe-duration-near-timeout': {
    check: 'watchdog_probe_duration_near_timeout',
    severity: 'warning',
    anchor: 'watchdog-duration-near-timeout',
  },
};
const CONFIG: RelayConfig = {
  topicArn: TOPIC,
  catalog: CATALOG,
  runbookUrl: 'https://wiki.example.com/deploy.md',
};

/** An EventBridge "CloudWatch Alarm State Change" event as CloudWatch sends it. */
function change(
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA',
  previous: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA',
  alarmName = ALARM,
) {
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111122223333',
    time: '2026-03-02T10:05:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:111122223333:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: {
        value: state,
        reason:
          'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].',
        timestamp: '2026-03-02T10:05:00.000+0000',
      },
      previousState: { value: previous, reason: 'x', timestamp: '2026-03-02T09:20:00.000+0000' },
      configuration: { description: 'The probe cycle...' },
    },
  };
}

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

function logLines(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c) => chunks.push(String(c)));
  return {
    logger: createLogger('test', out),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l)),
  };
}

describe('watchdog alarm as a notification', () => {
  it('pages ALARM with the attributes of a real page: severity, appliance fleet, check, state, kind', () => {
    const n = watchdogNotification(change('ALARM', 'OK') as never, CATALOG, CONFIG.runbookUrl)!;
    const input = snsPublishInput(TOPIC, n);
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      appliance: { DataType: 'String', StringValue: 'fleet' },
      check: { DataType: 'String', StringValue: 'watchdog_probe_heartbeat_missing' },
      state: { DataType: 'String', StringValue: 'alarm' },
      kind: { DataType: 'String', StringValue: 'page' },
    });
    expect(input.Subject).toMatch(/^CRITICAL ALARM fleet watchdog_probe_heartbeat_missing: /);
    const message = JSON.parse(input.Message!);
    expect(message.email).toContain('reason: Threshold Crossed');
    expect(message.email).toContain(
      'Runbook:   https://wiki.example.com/deploy.md#watchdog-heartbeat-missing',
    );
    const doc = JSON.parse(message.https);
    expect(doc).toMatchObject({
      schema: ALERT_DOCUMENT_SCHEMA,
      notificationId: 'fleet/watchdog_probe_heartbeat_missing#2026-03-02T10:05:00.000Z',
      since: '2026-03-02T10:05:00.000Z',
    });
  });

  it('sends OK after ALARM as the recovery of the same alert, since the ALARM began', () => {
    const n = watchdogNotification(change('OK', 'ALARM') as never, CATALOG, CONFIG.runbookUrl)!;
    expect(n).toMatchObject({
      kind: 'recovery',
      state: 'ok',
      alertId: 'fleet/watchdog_probe_heartbeat_missing',
      since: '2026-03-02T09:20:00.000Z',
      at: '2026-03-02T10:05:00.000Z',
    });
  });

  it('tells nobody of OK after INSUFFICIENT_DATA (a new alarm), INSUFFICIENT_DATA, or an alarm of another stack', () => {
    expect(watchdogNotification(change('OK', 'INSUFFICIENT_DATA') as never, CATALOG, '')).toBeUndefined();
    expect(watchdogNotification(change('INSUFFICIENT_DATA', 'OK') as never, CATALOG, '')).toBeUndefined();
    expect(watchdogNotification(change('ALARM', 'OK', 'Other-alarm') as never, CATALOG, '')).toBeUndefined();
  });

  it('keeps the severity the stack gave the alarm', () => {
    const n = watchdogNotification(
      change('ALARM', 'OK', 'CpqMonitor-probe-duration-near-timeout') as never,
      CATALOG,
      '',
    )!;
    expect(n.severity).toBe('warning');
  });

  it('derives check names from alarm names', () => {
    expect(watchdogCheck('probe-heartbeat-missing')).toBe('watchdog_probe_heartbeat_missing');
    expect(watchdogCheck('topic-notifications-failed')).toBe('watchdog_topic_notifications_failed');
  });
});

describe('alarm relay handler', () => {
  it('publishes the page to the topic and logs "alarm relayed" with the message id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const log = logLines();
    const outcome = await handleAlarmEvent(change('ALARM', 'OK'), CONFIG, new SNSClient({}), log.logger);
    expect(outcome).toEqual({
      status: 'sent',
      kind: 'page',
      notificationId: 'fleet/watchdog_probe_heartbeat_missing#2026-03-02T10:05:00.000Z',
      messageId: 'm-1',
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      MessageStructure: 'json',
      MessageAttributes: expect.objectContaining({
        severity: { DataType: 'String', StringValue: 'critical' },
      }),
    });
    expect(log.lines()).toEqual([
      expect.objectContaining({ msg: 'alarm relayed', alarm: ALARM, alarmState: 'ALARM', messageId: 'm-1' }),
    ]);
  });

  it('throws when SNS refuses, so Lambda retries the event and then queues it', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('key is disabled'), { name: 'KMSDisabledException' }));
    const log = logLines();
    await expect(
      handleAlarmEvent(change('ALARM', 'OK'), CONFIG, new SNSClient({}), log.logger),
    ).rejects.toMatchObject({
      code: 'relay_publish_failed',
      message: expect.stringContaining('KMSDisabledException'),
    });
    expect(log.lines()).toEqual([
      expect.objectContaining({ msg: 'alarm not relayed', alarm: ALARM, alarmState: 'ALARM' }),
    ]);
  });

  it('rejects an event that is not an alarm state change', async () => {
    await expect(handleAlarmEvent({ cycle: 'probe' }, CONFIG, new SNSClient({}))).rejects.toMatchObject({
      code: 'relay_event',
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('ignores (without publishing) a change that is no page', async () => {
    const outcome = await handleAlarmEvent(change('OK', 'INSUFFICIENT_DATA'), CONFIG, new SNSClient({}));
    expect(outcome.status).toBe('ignored');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('validates its environment, naming what is wrong', () => {
    expect(() =>
      relayConfigFromEnv({ ALERT_TOPIC_ARN: 'nope', WATCHDOG_ALARMS: '{}', RUNBOOK_URL: 'x' }),
    ).toThrow(/ALERT_TOPIC_ARN: expected an SNS topic ARN/);
    expect(() => parseWatchdogCatalog('{"a":{"check":"cpu","severity":"critical","anchor":"x"}}')).toThrow(
      /WATCHDOG_ALARMS is invalid: a.check/,
    );
    expect(
      relayConfigFromEnv({
        ALERT_TOPIC_ARN: TOPIC,
        WATCHDOG_ALARMS: JSON.stringify(CATALOG),
        RUNBOOK_URL: 'r',
      }),
    ).toEqual({ ...CONFIG, runbookUrl: 'r' });
  });
});
