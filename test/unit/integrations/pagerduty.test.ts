import { parseTopicMessage } from '../../../shared/integrations/message';
import {
  dedupKeyOf,
  PAGERDUTY_LIMITS,
  pagerDutyAlarmEventOf,
  pagerDutyEventOf,
} from '../../../shared/integrations/pagerduty';
import { routingKeyOf } from '../../../shared/integrations/routing-key';
import { alarmMessage, incident, lambdaMessage, notification } from './fixtures';

const KEY = 'R0123456789abcdef0123456789ABCDE';

function fromSns(message: string) {
  const parsed = parseTopicMessage(message);
  if (parsed.type !== 'alert') throw new Error(`expected an alert, got ${parsed.type}`);
  return parsed.notification;
}

describe('PagerDuty events of one incident', () => {
  const events = incident().map((n) => pagerDutyEventOf(fromSns(lambdaMessage(n)), KEY));

  it('trigger, trigger, trigger, resolve, all with the alert id as dedup key', () => {
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'trigger', 'resolve']);
    expect(new Set(events.map((e) => e.dedup_key))).toEqual(
      new Set(['esa1/outbound_ciphers_allow_anonymous']),
    );
  });

  it('maps severity, names the appliance as source and the check as class, links the runbook', () => {
    const [page, , escalation] = events;
    expect(page!.payload).toMatchObject({
      severity: 'warning',
      source: 'esa1',
      class: 'outbound_ciphers_allow_anonymous',
      component: 'outbound_ciphers_allow_anonymous',
      group: 'cpq-monitor',
      timestamp: '2026-03-02T10:01:00.000Z',
    });
    expect(page!.payload!.summary).toMatch(/^WARNING ALARM esa1 outbound_ciphers_allow_anonymous: /);
    expect(page!.payload!.custom_details).toMatchObject({
      kind: 'page',
      notificationId: 'esa1/outbound_ciphers_allow_anonymous#1',
      evidence: notification().evidence,
      fix: notification().remediation,
    });
    expect(page!.links).toEqual([
      {
        href: 'https://wiki.example.com/cpq/runbook.md#outbound_ciphers_allow_anonymous',
        text: 'Runbook: outbound_ciphers_allow_anonymous',
      },
    ]);
    expect(escalation!.payload).toMatchObject({ severity: 'critical' });
    expect(escalation!.payload!.custom_details).toMatchObject({ previousSeverity: 'warning' });
  });

  it('sends a resolve with nothing but key, action and dedup key', () => {
    expect(events[3]).toEqual({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'esa1/outbound_ciphers_allow_anonymous',
    });
  });

  it('keeps the summary within 1024 characters and leaves a relative runbook link out of links', () => {
    const e = pagerDutyEventOf(
      notification({ summary: 'y'.repeat(4000), runbookUrl: 'docs/runbook.md#x' }),
      KEY,
    );
    expect(e.payload!.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(e.links).toBeUndefined();
    expect(e.payload!.custom_details).toMatchObject({ runbook: 'docs/runbook.md#x' });
  });
});

describe('dedup keys', () => {
  it('are the id when it fits, and a stable 255-character key when it does not', () => {
    expect(dedupKeyOf('esa1->sma1/cpq_tls_anonymous')).toBe('esa1->sma1/cpq_tls_anonymous');
    const long = `${'a'.repeat(300)}/check`;
    const other = `${'a'.repeat(300)}/other`;
    expect(dedupKeyOf(long)).toHaveLength(PAGERDUTY_LIMITS.dedupKey);
    expect(dedupKeyOf(long)).toBe(dedupKeyOf(long));
    expect(dedupKeyOf(long)).not.toBe(dedupKeyOf(other));
  });
});

describe('PagerDuty events of a watchdog alarm', () => {
  const alarm = (state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA') => {
    const parsed = parseTopicMessage(alarmMessage(state));
    if (parsed.type !== 'alarm') throw new Error('expected an alarm');
    return parsed.alarm;
  };

  it('ALARM triggers (critical) and OK resolves on the same key; INSUFFICIENT_DATA sends nothing', () => {
    const fired = pagerDutyAlarmEventOf(alarm('ALARM'), KEY)!;
    const cleared = pagerDutyAlarmEventOf(alarm('OK'), KEY)!;
    expect(fired.event_action).toBe('trigger');
    expect(fired.payload!.severity).toBe('critical');
    expect(fired.links?.[0]?.href).toBe(
      'https://git.example.com/ops/cpq-monitor/blob/main/docs/deploy.md#watchdog-heartbeat-missing',
    );
    expect(cleared).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: fired.dedup_key });
    expect(pagerDutyAlarmEventOf(alarm('INSUFFICIENT_DATA'), KEY)).toBeUndefined();
  });
});

describe('routing key in the secret', () => {
  it.each([KEY, ` ${KEY}\n`, JSON.stringify({ routingKey: KEY }), JSON.stringify({ routing_key: KEY })])(
    'reads %j',
    (text) => {
      expect(routingKeyOf(text, 'cpq-monitor/pagerduty')).toBe(KEY);
    },
  );

  it.each([
    ['short', 'abc', /does not hold a PagerDuty routing key .* it holds 3 characters/],
    ['JSON without the field', '{"key":"x"}', /JSON without a "routingKey"/],
    ['broken JSON', '{"routingKey":', /not JSON/],
  ])('refuses a %s value without printing it', (_name, text, error) => {
    expect(() => routingKeyOf(text, 'cpq-monitor/pagerduty')).toThrow(error);
    try {
      routingKeyOf(`${text}SECRETPART`, 'cpq-monitor/pagerduty');
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRETPART');
    }
  });
});

describe('topic messages that are not for the integrations', () => {
  it.each([
    ['plain text', 'hello', 'not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['another JSON', '{"a":1}', 'neither a cpq-monitor alert document nor a CloudWatch alarm'],
    [
      'a newer schema',
      '{"schema":"cpq-monitor/alert-notification/2"}',
      'not a valid cpq-monitor/alert-notification/1',
    ],
  ])('classifies %s as unknown', (_name, message, reason) => {
    const parsed = parseTopicMessage(message);
    expect(parsed.type).toBe('unknown');
    expect(parsed.type === 'unknown' && parsed.reason).toContain(reason);
  });
});
