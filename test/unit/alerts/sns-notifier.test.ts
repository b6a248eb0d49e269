import { PassThrough } from 'node:stream';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConsoleNotifier } from '../../../shared/alerts/console-notifier';
import { ALERT_DOCUMENT_SCHEMA, SUBJECT_MAX } from '../../../shared/alerts/document';
import { SMS_MAX } from '../../../shared/alerts/format';
import type { AlertNotification } from '../../../shared/alerts/notifier';
import { SnsNotifier, snsPublishInput } from '../../../shared/alerts/sns-notifier';
import { at } from './fixtures';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts';
const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

function page(over: Partial<AlertNotification> = {}): AlertNotification {
  return {
    notificationId: 'esa1/cpq_tls_anonymous#1',
    kind: 'page',
    alertId: 'esa1/cpq_tls_anonymous',
    appliance: 'esa1',
    check: 'cpq_tls_anonymous',
    severity: 'critical',
    state: 'alarm',
    summary: 'TLS to sma1:7025 negotiated ADH-AES256-GCM-SHA384: no certificate was sent',
    evidence: [
      'cipher ADH-AES256-GCM-SHA384 (anonymous)',
      'Info: DCID 123456 TLS failed: verify error: no certificate from server',
    ],
    remediation: ['sslconfig → OUTBOUND: append :-aNULL to the cipher list', 'commit'],
    runbookUrl: 'https://wiki.example.com/cpq/runbook#cpq_tls_anonymous',
    since: at(0).toISOString(),
    at: at(12).toISOString(),
    ...over,
  };
}

describe('SNS message', () => {
  it('uses MessageStructure json with a readable e-mail, a short SMS and a JSON document', () => {
    const input = snsPublishInput(TOPIC, page());
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    const msg = JSON.parse(input.Message!);
    expect(Object.keys(msg).sort()).toEqual([
      'default',
      'email',
      'email-json',
      'http',
      'https',
      'lambda',
      'sms',
      'sqs',
    ]);

    // E-mail: what, where, since when, evidence, fix, runbook link.
    expect(msg.email).toContain('What:      TLS to sma1:7025 negotiated ADH-AES256-GCM-SHA384');
    expect(msg.email).toContain('Where:     esa1 (check cpq_tls_anonymous)');
    expect(msg.email).toContain(`Since:     ${at(0).toISOString()} (12m ago)`);
    expect(msg.email).toContain(
      'Evidence:\n  cipher ADH-AES256-GCM-SHA384 (anonymous)\n  Info: DCID 123456 TLS failed',
    );
    expect(msg.email).toContain(
      'Fix:\n  1. sslconfig → OUTBOUND: append :-aNULL to the cipher list\n  2. commit',
    );
    expect(msg.email).toContain('Runbook:   https://wiki.example.com/cpq/runbook#cpq_tls_anonymous');

    expect(msg.sms).toBe(
      'CRITICAL ALARM esa1 cpq_tls_anonymous: TLS to sma1:7025 negotiated ADH-AES256-GCM-SHA384: no certificate was sent',
    );
    expect(msg.sms).not.toContain('\n');

    const doc = JSON.parse(msg.https);
    expect(doc).toMatchObject({
      schema: ALERT_DOCUMENT_SCHEMA,
      notificationId: 'esa1/cpq_tls_anonymous#1',
      kind: 'page',
      state: 'alarm',
      severity: 'critical',
      appliance: 'esa1',
      evidence: page().evidence,
    });
    expect(msg.lambda).toBe(msg.https);
    expect(msg.default).toContain(input.Subject);
  });

  it('carries severity, appliance, check, state and kind as String attributes for filter policies', () => {
    const input = snsPublishInput(TOPIC, page({ kind: 'recovery', state: 'ok' }));
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      appliance: { DataType: 'String', StringValue: 'esa1' },
      check: { DataType: 'String', StringValue: 'cpq_tls_anonymous' },
      state: { DataType: 'String', StringValue: 'ok' },
      kind: { DataType: 'String', StringValue: 'recovery' },
    });
  });

  it('keeps the subject under 100 characters and free of control characters', () => {
    const long = page({
      summary: `line one\r\nline\ttwo \u0007 ${'x'.repeat(300)}`,
      appliance: 'esa-frankfurt-01.mail.example.com',
    });
    const input = snsPublishInput(TOPIC, long);
    expect(input.Subject!.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(input.Subject!.length).toBeLessThan(100);
    expect(input.Subject).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(input.Subject).toMatch(
      /^CRITICAL ALARM esa-frankfurt-01\.mail\.example\.com cpq_tls_anonymous: line one line two x+\.\.\.$/,
    );
    const sms = JSON.parse(input.Message!).sms as string;
    expect(sms.length).toBeLessThanOrEqual(SMS_MAX);
  });

  it('keeps the SMS plain ASCII so it fits one segment', () => {
    const sms = JSON.parse(
      snsPublishInput(TOPIC, page({ summary: 'esa1 → sma1 “TLS” – café…' })).Message!,
    ).sms;
    expect(sms).toBe('CRITICAL ALARM esa1 cpq_tls_anonymous: esa1 -> sma1 "TLS" - cafe...');
  });

  it('words recoveries, reminders and escalations differently', () => {
    const subj = (over: Partial<AlertNotification>) => snsPublishInput(TOPIC, page(over)).Subject;
    expect(subj({ kind: 'recovery', state: 'ok' })).toMatch(/^RECOVERED esa1 cpq_tls_anonymous: /);
    expect(subj({ kind: 'reminder' })).toMatch(/^REMINDER CRITICAL esa1/);
    expect(subj({ kind: 'escalation', previousSeverity: 'warning' })).toMatch(
      /^ESCALATED WARNING->CRITICAL esa1/,
    );
    const recovery = JSON.parse(snsPublishInput(TOPIC, page({ kind: 'recovery', state: 'ok' })).Message!);
    expect(recovery.sms).toBe('OK esa1 cpq_tls_anonymous recovered after 12m');
    expect(recovery.email).toContain(
      `Failing:   from ${at(0).toISOString()} to ${at(12).toISOString()} (12m)`,
    );
    expect(recovery.email).not.toContain('Fix:');
  });

  it('neutralises a hostile peer: no escape sequences, forged lines or reordering characters anywhere', async () => {
    // Prepare: what a malicious appliance controls (banner, log lines, certificate subject).
    const hostile = page({
      summary: `banner \x1b]0;pwned\x07\x1b[2J\u202Egnp.exe\u009b31m\nRunbook:   https://evil.example/${'z'.repeat(5000)}`,
      evidence: [
        'banner: 220 \x1b[31mred\x1b[0m\r\nFix:\n  1. suspendlistener',
        'certificate: subject CN=sma1\u2028Severity:  info\u200b',
        `log ${'w'.repeat(5000)}`,
      ],
    });
    const controls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u200b]/;
    // Act
    const msg = JSON.parse(snsPublishInput(TOPIC, hostile).Message!);
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => {
      printed += c.toString();
    });
    await new ConsoleNotifier(out).notify(hostile);
    // Assess
    for (const text of [msg.email, msg.default, printed]) {
      expect(text).not.toMatch(controls);
      expect(text).not.toContain('\x1b');
      // Only the notifier's own lines start a line; peer text never begins one.
      expect(text.split('\n').filter((l: string) => /^\s*Runbook:/.test(l))).toHaveLength(1);
      expect(text.split('\n').filter((l: string) => /^\s*(Fix:|Severity:)/.test(l))).toHaveLength(2);
      expect(text).not.toMatch(/^\s*1\. suspendlistener/m);
      expect(Math.max(...text.split('\n').map((l: string) => l.length))).toBeLessThanOrEqual(500);
    }
    const doc = JSON.parse(msg.https);
    expect(JSON.stringify(doc)).not.toMatch(/\\u001b|\\u009b|\u202e|\\n/i);
    expect(doc.summary.length).toBeLessThanOrEqual(400);
    expect(msg.sms).not.toMatch(controls);
    expect(snsPublishInput(TOPIC, hostile).Subject).toMatch(
      /^CRITICAL ALARM esa1 cpq_tls_anonymous: banner gnp\.exe/,
    );
  });

  it('fits the SNS size limit even when peer text escapes badly (backslashes, non-ASCII)', () => {
    for (const unit of ['\\', '"', '語']) {
      // Prepare: evidence as long as the caps allow, in characters that JSON escapes or UTF-8 widens.
      const n = page({
        evidence: Array.from({ length: 100 }, (_, i) => `line ${i} ${unit.repeat(1000)}`),
      });
      // Act
      const input = snsPublishInput(TOPIC, n);
      // Assess: under 256 KiB with the attributes, the first evidence kept, the cut said.
      expect(Buffer.byteLength(input.Message!)).toBeLessThanOrEqual(240 * 1024);
      const msg = JSON.parse(input.Message!);
      expect(msg.email).toContain('line 0 ');
      expect(msg.email).toMatch(/more evidence lines left out to fit the SNS message size limit/);
      expect(JSON.parse(msg.https).evidence[0]).toMatch(/^line 0 /);
    }
    // An ordinary page is not shortened.
    expect(JSON.parse(snsPublishInput(TOPIC, page()).Message!).email).not.toMatch(/left out/);
  });

  it('caps very long evidence so the message stays far below the 256 KB SNS limit', () => {
    const evidence = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'y'.repeat(1000)}`);
    const input = snsPublishInput(TOPIC, page({ evidence }));
    expect(Buffer.byteLength(input.Message!)).toBeLessThan(200_000);
    expect(JSON.parse(input.Message!).email).toContain('(4960 more lines not shown)');
  });
});

describe('SnsNotifier', () => {
  it('publishes and returns the message id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'abc-123' });
    const n = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), { topicArn: TOPIC });
    await expect(n.notify(page())).resolves.toEqual({ ok: true, messageId: 'abc-123' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC, MessageStructure: 'json' });
  });

  it('returns failures as data, marking throttling and server faults retryable', async () => {
    const n = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), { topicArn: TOPIC });
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .rejectsOnce(
        Object.assign(new Error('no such topic'), {
          name: 'NotFoundException',
          $metadata: { httpStatusCode: 404 },
        }),
      )
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } }));
    await expect(n.notify(page())).resolves.toEqual({
      ok: false,
      code: 'Throttling',
      message: 'Rate exceeded',
      retryable: true,
    });
    await expect(n.notify(page())).resolves.toMatchObject({
      ok: false,
      code: 'NotFoundException',
      retryable: false,
    });
    await expect(n.notify(page())).resolves.toMatchObject({ ok: false, code: 'Unknown', retryable: true });
  });
});

describe('ConsoleNotifier', () => {
  it('writes a readable block naming the kind, the alert, the evidence and the fix', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const res = await new ConsoleNotifier(out).notify(page());
    expect(res).toEqual({ ok: true });
    const text = chunks.join('');
    expect(text).toContain(`${at(12).toISOString()} PAGE  CRITICAL ALARM esa1 cpq_tls_anonymous`);
    expect(text).toContain('    Info: DCID 123456 TLS failed: verify error: no certificate from server');
    expect(text).toContain('    1. sslconfig → OUTBOUND: append :-aNULL to the cipher list');
    const recovery = new PassThrough();
    const rchunks: string[] = [];
    recovery.on('data', (c: Buffer) => rchunks.push(c.toString()));
    await new ConsoleNotifier(recovery).notify(page({ kind: 'recovery', state: 'ok' }));
    expect(rchunks.join('')).toContain('RECOVERY  RECOVERED esa1 cpq_tls_anonymous: TLS to sma1:7025');
    expect(rchunks.join('')).toContain('(after 12m)');
  });

  it('reports a stream error as a failed delivery', async () => {
    const out = new PassThrough();
    out.destroy();
    const res = await new ConsoleNotifier(out).notify(page());
    expect(res).toMatchObject({ ok: false, code: 'write_failed' });
  });
});
