/**
 * The alert document is one contract: what the engine decides, the SNS notifier publishes and the
 * forwarder reads back must be the same notification, and a document that does not match the
 * schema must fail loudly instead of losing fields.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ALERT_DOCUMENT_SCHEMA,
  type AlertNotification,
  alertDocumentSchema,
  DOCUMENT_LINES,
  LINE_CHARS,
  readAlertDocument,
  SUBJECT_MAX,
} from '../../../shared/alerts/document';
import { processAlerts } from '../../../shared/alerts/engine';
import { documentOf } from '../../../shared/alerts/format';
import type { Notifier, NotifyResult } from '../../../shared/alerts/notifier';
import type { Mute } from '../../../shared/alerts/record';
import { SnsNotifier, snsPublishInput } from '../../../shared/alerts/sns-notifier';
import { parseTopicMessage } from '../../../shared/integrations/message';
import { FileAlertStore } from '../../../shared/state/alerts/file';
import { at, finding, POLICY } from './fixtures';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts';
const sns = mockClient(SNSClient);
let dir: string;

beforeEach(async () => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  dir = await mkdtemp(join(tmpdir(), 'cpq-document-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The SNS notifier, refusing while `down` is set; keeps what it was handed and published. */
class RecordingNotifier implements Notifier {
  down = false;
  readonly delivered: AlertNotification[] = [];
  private readonly sns = new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), { topicArn: TOPIC });

  async notify(n: AlertNotification): Promise<NotifyResult> {
    if (this.down)
      return { ok: false, code: 'ThrottledException', message: 'Rate exceeded', retryable: true };
    const result = await this.sns.notify(n);
    if (result.ok) this.delivered.push(n);
    return result;
  }
}

/** The `Message` a Lambda subscriber (the forwarder) receives for the i-th publish. */
function lambdaMessageOf(publish: number): string {
  const message = JSON.parse(sns.commandCalls(PublishCommand)[publish]!.args[0].input.Message!);
  return message.lambda as string;
}

describe('the alert document round trip', () => {
  it('gives the forwarder exactly what the engine decided: a coalesced page held back by maintenance, an escalation, a recovery', async () => {
    // Prepare: a flapping alert while SNS is down, then a maintenance window, then SNS back.
    const store = new FileAlertStore(join(dir, 'alerts.json'));
    const notifier = new RecordingNotifier();
    const mute: Mute = { reason: 'planned SMA reboot', until: at(6).toISOString(), source: 'maintenance' };
    const warning = finding('sma1', 'cpq_listener_refused', 'warning');
    const critical = finding('sma1', 'cpq_listener_refused', 'critical');
    const cycle = (minute: number, failing: boolean, f = warning, muted = false) =>
      processAlerts({
        findings: failing ? [f] : [],
        checked: [f.id],
        now: at(minute),
        policy: POLICY,
        muteFor: () => (muted ? mute : undefined),
        store,
        notifier,
      });

    // Act
    notifier.down = true;
    await cycle(0, true);
    await cycle(1, true); // page, not delivered
    await cycle(2, false);
    await cycle(3, false); // its recovery, not delivered
    await cycle(4, true, warning, true);
    await cycle(5, true, warning, true); // the next incident's page, held back
    notifier.down = false;
    await cycle(6, true); // window over: the page, standing for the two undelivered
    await cycle(7, true, critical); // escalation
    await cycle(8, false);
    await cycle(9, false); // recovery

    // Assess: every optional field of a notification is exercised.
    const [page, escalation, recovery] = notifier.delivered;
    expect(notifier.delivered.map((n) => n.kind)).toEqual(['page', 'escalation', 'recovery']);
    expect(page).toMatchObject({ deferredBy: 'planned SMA reboot', coalesced: 2 });
    expect(escalation).toMatchObject({ severity: 'critical', previousSeverity: 'warning' });
    expect(recovery).toMatchObject({ state: 'ok', severity: 'critical' });
    notifier.delivered.forEach((n, i) => {
      const document = JSON.parse(lambdaMessageOf(i));
      expect(alertDocumentSchema.safeParse(document).success).toBe(true);
      expect(document.subject).toBe(snsPublishInput(TOPIC, n).Subject);
      expect(parseTopicMessage(lambdaMessageOf(i))).toStrictEqual({ type: 'alert', notification: n });
    });
  });
});

describe('the alert document schema', () => {
  const n: AlertNotification = {
    notificationId: 'esa1/cpq_tls_anonymous#1',
    kind: 'page',
    alertId: 'esa1/cpq_tls_anonymous',
    appliance: 'esa1',
    check: 'cpq_tls_anonymous',
    severity: 'critical',
    state: 'alarm',
    summary: 'TLS to sma1:7025 negotiated an anonymous suite',
    evidence: ['cipher ADH-AES256-GCM-SHA384 (anonymous)'],
    remediation: ['sslconfig → OUTBOUND: append :-aNULL', 'commit'],
    runbookUrl: 'https://wiki.example.com/cpq/runbook#cpq_tls_anonymous',
    since: at(0).toISOString(),
    at: at(5).toISOString(),
  };

  it('keeps its id: readers select on it', () => {
    expect(ALERT_DOCUMENT_SCHEMA).toBe('cpq-monitor/alert-notification/1');
    expect(documentOf(n).schema).toBe(ALERT_DOCUMENT_SCHEMA);
  });

  it('holds whatever the formats make of any notification, however long or hostile', () => {
    const huge = {
      ...n,
      summary: `\x1b[31m${'s'.repeat(20_000)}`,
      evidence: Array.from({ length: 500 }, (_, i) => `${i}\r\n${'é'.repeat(5000)}`),
      remediation: Array.from({ length: 90 }, () => 'r'.repeat(LINE_CHARS + 1)),
    };
    const doc = documentOf(huge);
    expect(alertDocumentSchema.safeParse(doc).error).toBeUndefined();
    expect(doc.evidence).toHaveLength(DOCUMENT_LINES + 1);
    expect(doc.subject!.length).toBeLessThanOrEqual(SUBJECT_MAX);
  });

  it('refuses a field it does not know as a newer document, naming the field, rather than dropping it', () => {
    const reading = readAlertDocument({ ...documentOf(n), acknowledgedBy: 'alice' });
    expect(reading).toEqual({
      ok: false,
      newer: true,
      reason: expect.stringContaining('acknowledgedBy'),
    });
    expect(parseTopicMessage(JSON.stringify({ ...documentOf(n), acknowledgedBy: 'alice' }))).toMatchObject({
      type: 'newer',
    });
  });

  it.each([
    ['a missing field', { summary: undefined }, 'summary'],
    ['an unknown kind', { kind: 'digest' }, 'kind'],
    ['a count that is not a count', { coalesced: 0 }, 'coalesced'],
    ['more lines than the caps allow', { evidence: Array(DOCUMENT_LINES + 2).fill('x') }, 'evidence'],
    ['a line over the caps', { remediation: ['x'.repeat(LINE_CHARS + 1)] }, 'remediation.0'],
  ])('rejects %s as invalid, naming the field', (_name, over, field) => {
    const reading = readAlertDocument({ ...documentOf(n), ...over });
    expect(reading).toMatchObject({ ok: false, newer: false });
    expect(!reading.ok && reading.reason).toContain(`${field}: `);
  });
});

describe('the sample page of docs/alerts.md', () => {
  it('is a document the forwarders accept, and so is its recovery', () => {
    // Prepare: the page on-call publishes by hand to test the integrations (no subject, no extras).
    const text = readFileSync(join(__dirname, '../../../docs/alerts.md'), 'utf8');
    const page = /^page='(\{[\s\S]*?\})'$/m.exec(text)?.[1];
    expect(page).toBeDefined();
    const recovery = page!
      .replace('"kind":"page"', '"kind":"recovery"')
      .replace('"state":"alarm"', '"state":"ok"');
    // Act / Assess
    expect(parseTopicMessage(page!)).toMatchObject({ type: 'alert', notification: { kind: 'page' } });
    expect(parseTopicMessage(recovery)).toMatchObject({ type: 'alert', notification: { kind: 'recovery' } });
  });
});
