import {
  CHATBOT_LIMITS,
  type ChatbotNotification,
  chatbotAlarmOf,
  chatbotNotificationOf,
  chatbotProblems,
} from '../../../shared/integrations/chatbot';
import { type AlarmNotification, parseTopicMessage } from '../../../shared/integrations/message';
import { alarmMessage, incident, lambdaMessage, notification } from './fixtures';

/** What the forwarder renders from the message SNS delivers (parse, then render). */
function rendered(message: string): ChatbotNotification {
  const parsed = parseTopicMessage(message);
  if (parsed.type !== 'alert') throw new Error(`expected an alert, got ${parsed.type}`);
  return chatbotNotificationOf(parsed.notification);
}

describe('Chatbot custom notification of a page', () => {
  it('has the required fields, title, cause, fix as next steps, runbook link and severity', () => {
    // Prepare
    const message = lambdaMessage(notification());
    // Act
    const doc = rendered(message);
    // Assess
    expect(chatbotProblems(doc)).toEqual([]);
    expect(doc.version).toBe('1.0');
    expect(doc.source).toBe('custom');
    expect(doc.content.textType).toBe('client-markdown');
    expect(doc.content.title).toBe(
      'CRITICAL ALARM esa1 outbound_ciphers_allow_anonymous: esa1: outbound cipher list allows anonymou...',
    );
    expect(doc.content.description).toContain(
      'CRITICAL ALARM: esa1: outbound cipher list allows anonymous (aNULL) suites',
    );
    expect(doc.content.description).toContain('Severity: critical');
    expect(doc.content.description).toContain('Since: 2026-03-02T10:00:00.000Z (1m ago)');
    expect(doc.content.description).toContain('aNULL:HIGH:MEDIUM:-SSLv2');
    expect(doc.content.description).toContain(
      'Runbook: https://wiki.example.com/cpq/runbook.md#outbound_ciphers_allow_anonymous',
    );
    expect(doc.content.nextSteps).toEqual([
      "esa1's outbound cipher list can negotiate an anonymous (aNULL) suite",
      'On esa1: `sslconfig` → OUTBOUND: append `:-aNULL` to the cipher list',
      'On esa1: `commit`',
      'Runbook: https://wiki.example.com/cpq/runbook.md#outbound_ciphers_allow_anonymous',
    ]);
    expect(doc.content.keywords).toEqual(['critical', 'page', 'esa1', 'outbound_ciphers_allow_anonymous']);
    expect(doc.metadata?.eventType).toBe('page');
    expect(doc.metadata?.additionalContext?.severity).toBe('critical');
  });

  it('threads the whole incident on the alert id; the recovery says how long it failed and lists no fix', () => {
    const docs = incident().map((n) => rendered(lambdaMessage(n)));
    for (const d of docs) expect(chatbotProblems(d)).toEqual([]);
    expect(new Set(docs.map((d) => d.metadata?.threadId))).toEqual(
      new Set(['esa1/outbound_ciphers_allow_anonymous']),
    );
    expect(docs.map((d) => d.content.title?.split(' esa1')[0])).toEqual([
      'WARNING ALARM',
      'REMINDER WARNING',
      'ESCALATED WARNING->CRITICAL',
      'RECOVERED',
    ]);
    const recovery = docs[3]!;
    expect(recovery.content.description).toContain(
      'Failing: from 2026-03-02T10:00:00.000Z to 2026-03-02T11:40:00.000Z (1h 40m)',
    );
    expect(recovery.content.nextSteps).toEqual([
      'Runbook: https://wiki.example.com/cpq/runbook.md#outbound_ciphers_allow_anonymous',
    ]);
    expect(docs[2]!.content.description).toContain('Severity: critical (was warning)');
  });

  it('stays within every bound with 40 long evidence lines and 40 fix steps', () => {
    const long = (i: number) => `${i}: ${'x'.repeat(390)}`;
    const doc = rendered(
      lambdaMessage(
        notification({
          summary: 's'.repeat(5000),
          evidence: Array.from({ length: 40 }, (_, i) => long(i)),
          remediation: Array.from({ length: 40 }, (_, i) => long(i)),
        }),
      ),
    );
    expect(chatbotProblems(doc)).toEqual([]);
    expect(doc.content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(doc.content.description).toMatch(/\(\d+ more lines in the e-mail page\)/);
    // The runbook link survives the cut.
    expect(doc.content.description).toContain('Runbook: https://wiki.example.com/cpq/runbook.md#');
    expect(doc.content.nextSteps).toHaveLength(CHATBOT_LIMITS.nextSteps);
    expect(doc.content.nextSteps?.at(-1)).toMatch(/^Runbook: /);
  });

  it('makes peer text inert: no Slack mention or link, no early end of the evidence block', () => {
    const doc = rendered(
      lambdaMessage(
        notification({
          summary: 'banner <!channel> <https://evil.example|click>',
          evidence: ['```', 'line <@U123>'],
        }),
      ),
    );
    expect(doc.content.description).not.toMatch(/<[!@h]/);
    // Exactly the two fences the renderer writes.
    expect(doc.content.description.match(/```/g)).toHaveLength(2);
  });

  it('keeps no markdown link from a hostile banner outside the code block', () => {
    const link = '[Reset your password](https://evil.example/login)';
    const doc = rendered(
      lambdaMessage(
        notification({
          summary: `banner: ${link}`,
          remediation: [`run ${link}`, '![img](https://evil.example/p.png)'],
          evidence: [`banner ${link}`],
        }),
      ),
    );
    const [before, code, after] = doc.content.description.split('```');
    for (const text of [before!, after!, doc.content.title!, ...doc.content.nextSteps!]) {
      expect(text).not.toMatch(/\]\(/);
    }
    // Inside the code block the evidence stays as the appliance printed it (no link renders there).
    expect(code).toContain(link);
    expect(chatbotProblems(doc)).toEqual([]);
  });

  it('keeps the notification when a remediation line is only control characters', () => {
    const doc = rendered(
      lambdaMessage(notification({ remediation: ['\u0007\u0008\u001b\u0000', 'status'], summary: 'banner' })),
    );
    expect(chatbotProblems(doc)).toEqual([]);
    expect(doc.content.nextSteps).toEqual(['status', expect.stringMatching(/^Runbook: /)]);
  });

  it('keeps a relative runbook link in the text but not as a related resource', () => {
    const doc = rendered(
      lambdaMessage(notification({ runbookUrl: 'docs/runbook.md#outbound_ciphers_allow_anonymous' })),
    );
    expect(doc.content.description).toContain('Runbook: docs/runbook.md#outbound_ciphers_allow_anonymous');
    expect(doc.metadata?.relatedResources).toEqual(['esa1']);
  });
});

describe('Chatbot custom notification of a watchdog alarm', () => {
  function alarm(state: 'ALARM' | 'OK'): AlarmNotification {
    const parsed = parseTopicMessage(alarmMessage(state));
    if (parsed.type !== 'alarm') throw new Error('expected an alarm');
    return parsed.alarm;
  }

  it('names the alarm, its reason and runbook, threaded so the OK follows the ALARM', () => {
    const [fired, cleared] = [chatbotAlarmOf(alarm('ALARM')), chatbotAlarmOf(alarm('OK'))];
    expect(chatbotProblems(fired)).toEqual([]);
    expect(chatbotProblems(cleared)).toEqual([]);
    expect(fired.content.title).toBe('ALARM CpqMonitor-ProbeHeartbeatMissing');
    expect(cleared.content.title).toBe('RECOVERED CpqMonitor-ProbeHeartbeatMissing');
    expect(fired.content.description).toContain('Threshold Crossed');
    expect(fired.content.description).toContain('docs/deploy.md#watchdog-heartbeat-missing');
    expect(fired.metadata?.threadId).toBe(cleared.metadata?.threadId);
  });
});

describe('chatbotProblems (the validator the tests rely on)', () => {
  type Doc = Record<string, unknown> & { content?: Record<string, unknown> };
  const valid = () => chatbotNotificationOf(notification()) as unknown as Doc;

  it.each([
    ['version', (d: Doc) => (d.version = '2.0'), 'version must be "1.0"'],
    ['source', (d: Doc) => (d.source = 'aws.cloudwatch'), 'source must be "custom"'],
    [
      'description',
      (d: Doc) => delete d.content!.description,
      'content.description must be a non-empty string',
    ],
    ['textType', (d: Doc) => (d.content!.textType = 'html'), 'content.textType must be "client-markdown"'],
    [
      'long description',
      (d: Doc) => (d.content!.description = 'x'.repeat(CHATBOT_LIMITS.description + 1)),
      'content.description has 3001 characters',
    ],
    [
      'too many keywords',
      (d: Doc) => (d.content!.keywords = Array(CHATBOT_LIMITS.keywords + 1).fill('k')),
      'content.keywords has 7 entries',
    ],
    ['content', (d: Doc) => delete d.content, 'content is required'],
  ])('reports a bad %s', (_name, spoil, problem) => {
    const d = valid();
    spoil(d);
    expect(chatbotProblems(d).join('\n')).toContain(problem);
  });
});
