/**
 * AWS Chatbot (Amazon Q Developer in chat applications) custom notifications: one page, reminder,
 * escalation or recovery, or one watchdog alarm, as the JSON event Chatbot renders in Slack and
 * Microsoft Teams, published on the Chatbot topic. The format and its required fields are described
 * in docs/alerts.md (AWS Chatbot).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import type { AlertNotification } from '../alerts/document';
import { duration, headline, subjectOf } from '../alerts/format';
import { CpqMonitorError, errorMessage } from '../errors';
import { clip, oneLine, printable } from '../text';
import { envSettings, type Integration } from './integration';
import type { AlarmNotification } from './message';

/** One custom notification, as Chatbot reads it from an SNS message. */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id?: string;
  content: {
    textType: 'client-markdown';
    title?: string;
    description: string;
    nextSteps?: string[];
    keywords?: string[];
  };
  metadata?: {
    threadId?: string;
    summary?: string;
    eventType?: string;
    relatedResources?: string[];
    additionalContext?: Record<string, string>;
  };
}

/**
 * The bounds every rendered notification keeps. The description stays within Slack's 3,000
 * characters for one text section, so it is never cut by the chat client; the title within the
 * SNS subject length the e-mail uses; the lists short enough to read on a phone.
 */
export const CHATBOT_LIMITS = {
  title: 99,
  description: 3000,
  nextSteps: 10,
  nextStepChars: 300,
  keywords: 6,
  keywordChars: 75,
  summary: 99,
  threadId: 255,
  relatedResources: 5,
  resourceChars: 255,
  contextKeys: 10,
  contextValueChars: 255,
} as const;

/**
 * Peer text made inert for chat markdown: `<` never opens a Slack link or mention (`<!channel>`,
 * `<@U123>`) and a run of backticks never closes the evidence block early. Outside the code
 * block (`inCode` false) `[text](url)` never becomes a link either: a hostile banner could
 * otherwise show on-call a "Reset your password" link in the monitor's own card.
 */
function inert(text: string, inCode = false): string {
  const safe = printable(text).replace(/</g, '\u2039').replace(/`{3,}/g, "'''");
  return inCode ? safe : safe.replace(/\]\s*\(/g, '] (');
}

/** One line of peer text, inert and clipped, for outside the code block. */
function line(text: string, max: number): string {
  return clip(inert(oneLine(text)), max);
}

/** One line of peer text for inside the evidence code block, where markdown does not render. */
function codeLine(text: string, max: number): string {
  return clip(inert(oneLine(text), true), max);
}

function isWebLink(url: string): boolean {
  return /^https?:\/\/\S+$/i.test(url);
}

/** Lines joined, with as many evidence lines as fit the description's bound, in a code block. */
function describe(head: string[], evidenceTitle: string, evidence: string[], tail: string[]): string {
  const max = CHATBOT_LIMITS.description;
  const fixed = [...head, ...tail].join('\n').length;
  const shown: string[] = [];
  // Fence lines, the title and the "more" note take at most this much.
  let room = max - fixed - evidenceTitle.length - 80;
  for (const e of evidence) {
    const l = codeLine(e, 300);
    if (l.length + 1 > room) break;
    shown.push(l);
    room -= l.length + 1;
  }
  const body = [...head];
  if (shown.length > 0) {
    body.push('', evidenceTitle, '```', ...shown, '```');
    if (shown.length < evidence.length) {
      body.push(`(${evidence.length - shown.length} more lines in the e-mail page)`);
    }
  }
  body.push('', ...tail);
  return clip(body.join('\n'), max);
}

/** The Chatbot custom notification for one page, escalation, reminder or recovery. */
export function chatbotNotificationOf(n: AlertNotification): ChatbotNotification {
  const where = `${line(n.appliance, 200)} (check ${line(n.check, 200)})`;
  const summary = line(n.summary, 400);
  const head =
    n.kind === 'recovery'
      ? [
          `RECOVERED: ${summary}`,
          `Where: ${where}`,
          `Failing: from ${line(n.since, 40)} to ${line(n.at, 40)} (${duration(n.since, n.at)})`,
          `Severity: ${n.severity} while it lasted`,
        ]
      : [
          `${headline(n, ' -> ')}: ${summary}`,
          `Where: ${where}`,
          `Since: ${line(n.since, 40)} (${duration(n.since, n.at)} ago)`,
          `Severity: ${n.severity}${n.previousSeverity ? ` (was ${n.previousSeverity})` : ''}`,
          ...(n.deferredBy
            ? [`Held back: by maintenance "${line(n.deferredBy, 200)}", which has ended`]
            : []),
        ];
  const runbook = line(n.runbookUrl, 250);
  const tail = [
    `Runbook: ${runbook}`,
    `Alert: ${line(n.alertId, 200)} (${n.kind}, ${line(n.notificationId, 220)})`,
  ];
  const description = describe(
    head,
    n.kind === 'recovery' ? 'Evidence when it failed:' : 'Evidence:',
    n.evidence,
    tail,
  );
  const fix =
    n.kind === 'recovery'
      ? []
      : n.remediation
          .slice(0, CHATBOT_LIMITS.nextSteps - 1)
          .map((r) => line(r, CHATBOT_LIMITS.nextStepChars))
          // A line of nothing printable would make the whole card invalid: it is left out.
          .filter((r) => r.trim() !== '');
  const nextSteps = [...fix, line(`Runbook: ${runbook}`, CHATBOT_LIMITS.nextStepChars)];
  return {
    version: '1.0',
    source: 'custom',
    id: clip(n.notificationId, 255),
    content: {
      textType: 'client-markdown',
      title: clip(inert(subjectOf(n)), CHATBOT_LIMITS.title),
      description,
      nextSteps,
      keywords: [n.severity, n.kind, line(n.appliance, 75), line(n.check, 75)],
    },
    metadata: {
      // One thread per alert: its page, reminders, escalation and recovery read as one story.
      threadId: clip(n.alertId, CHATBOT_LIMITS.threadId),
      summary: clip(inert(subjectOf(n)), CHATBOT_LIMITS.summary),
      eventType: n.kind,
      relatedResources: [
        line(n.appliance, CHATBOT_LIMITS.resourceChars),
        ...(isWebLink(n.runbookUrl) ? [clip(n.runbookUrl, CHATBOT_LIMITS.resourceChars)] : []),
      ],
      additionalContext: {
        alertId: clip(n.alertId, CHATBOT_LIMITS.contextValueChars),
        notificationId: clip(n.notificationId, CHATBOT_LIMITS.contextValueChars),
        severity: n.severity,
        since: clip(n.since, 64),
        at: clip(n.at, 64),
      },
    },
  };
}

/** The Chatbot custom notification for a watchdog alarm's state change (threaded per alarm). */
export function chatbotAlarmOf(a: AlarmNotification): ChatbotNotification {
  const name = line(a.AlarmName, 255);
  const title = `${a.NewStateValue === 'OK' ? 'RECOVERED' : a.NewStateValue} ${name}`;
  const head = [
    `${a.NewStateValue === 'OK' ? 'RECOVERED' : a.NewStateValue}: watchdog alarm ${name}`,
    ...(a.AlarmDescription ? [line(a.AlarmDescription, 1000)] : []),
  ];
  const tail = [
    ...(a.StateChangeTime
      ? [`Changed: ${line(a.StateChangeTime, 64)} (was ${line(a.OldStateValue ?? '?', 40)})`]
      : []),
    ...(a.AlarmArn ? [`Alarm: ${line(a.AlarmArn, 400)}`] : []),
  ];
  const reason = a.NewStateReason ? [line(a.NewStateReason, 1000)] : [];
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: clip(title, CHATBOT_LIMITS.title),
      description: describe(head, 'Reason:', reason, tail),
      keywords: [a.NewStateValue, 'watchdog'],
    },
    metadata: {
      threadId: clip(`alarm/${a.AlarmName}`, CHATBOT_LIMITS.threadId),
      summary: clip(title, CHATBOT_LIMITS.summary),
      eventType: `alarm-${a.NewStateValue.toLowerCase()}`,
      relatedResources: a.AlarmArn ? [clip(a.AlarmArn, CHATBOT_LIMITS.resourceChars)] : [],
    },
  };
}

/**
 * What makes an object an invalid custom notification: the fields Chatbot requires (`version`
 * 1.0, `source` custom, a `description`), the one `textType` it supports, and the bounds above.
 * An empty list means valid.
 */
export function chatbotProblems(value: unknown): string[] {
  const problems: string[] = [];
  const obj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(value)) return ['not a JSON object'];
  if (value.version !== '1.0') problems.push('version must be "1.0"');
  if (value.source !== 'custom') problems.push('source must be "custom"');
  const content = value.content;
  if (!obj(content)) return [...problems, 'content is required'];
  const str = (v: unknown, field: string, max: number, required = false) => {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${field} must be a non-empty string`);
    else if (v.length > max) problems.push(`${field} has ${v.length} characters (at most ${max})`);
  };
  const list = (v: unknown, field: string, items: number, chars: number) => {
    if (v === undefined) return;
    if (!Array.isArray(v)) return void problems.push(`${field} must be a list of strings`);
    if (v.length > items) problems.push(`${field} has ${v.length} entries (at most ${items})`);
    v.forEach((s, i) => {
      str(s, `${field}[${i}]`, chars, true);
    });
  };
  if (content.textType !== undefined && content.textType !== 'client-markdown') {
    problems.push('content.textType must be "client-markdown" (the only one supported)');
  }
  str(content.title, 'content.title', CHATBOT_LIMITS.title);
  str(content.description, 'content.description', CHATBOT_LIMITS.description, true);
  list(content.nextSteps, 'content.nextSteps', CHATBOT_LIMITS.nextSteps, CHATBOT_LIMITS.nextStepChars);
  list(content.keywords, 'content.keywords', CHATBOT_LIMITS.keywords, CHATBOT_LIMITS.keywordChars);
  const meta = value.metadata;
  if (meta !== undefined) {
    if (!obj(meta)) return [...problems, 'metadata must be an object'];
    str(meta.threadId, 'metadata.threadId', CHATBOT_LIMITS.threadId);
    str(meta.summary, 'metadata.summary', CHATBOT_LIMITS.summary);
    str(meta.eventType, 'metadata.eventType', 100);
    list(
      meta.relatedResources,
      'metadata.relatedResources',
      CHATBOT_LIMITS.relatedResources,
      CHATBOT_LIMITS.resourceChars,
    );
    const ctx = meta.additionalContext;
    if (ctx !== undefined) {
      if (!obj(ctx)) problems.push('metadata.additionalContext must be an object of strings');
      else {
        const entries = Object.entries(ctx);
        if (entries.length > CHATBOT_LIMITS.contextKeys) {
          problems.push(
            `metadata.additionalContext has ${entries.length} keys (at most ${CHATBOT_LIMITS.contextKeys})`,
          );
        }
        for (const [k, v] of entries) {
          str(v, `metadata.additionalContext.${k}`, CHATBOT_LIMITS.contextValueChars, true);
        }
      }
    }
  }
  return problems;
}

/** Publishing to the Chatbot topic failed: SNS retries are exhausted, the Lambda retries next. */
export class ChatbotPublishError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('chatbot_publish_failed', message, options);
  }
}

const chatbotEnv = z.object({
  CHATBOT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN'),
});

/** The Chatbot side: its topic (which Chatbot's channel configurations subscribe) and an SNS client. */
export interface ChatbotTarget {
  sns: SNSClient;
  topicArn: string;
}

/** AWS Chatbot: each message re-rendered as a custom notification and published on its own topic. */
export const chatbot: Integration<z.infer<typeof chatbotEnv>, ChatbotTarget, ChatbotNotification> = {
  name: 'chatbot',
  settingsFromEnv: (env) => envSettings(chatbotEnv, env),
  connect: (settings, clients) => ({ sns: clients.sns, topicArn: settings.CHATBOT_TOPIC_ARN }),
  async render(message) {
    const doc =
      message.type === 'alert' ? chatbotNotificationOf(message.notification) : chatbotAlarmOf(message.alarm);
    const problems = chatbotProblems(doc);
    if (problems.length > 0) return { reject: `rendered notification invalid: ${problems.join('; ')}` };
    return { payload: doc };
  },
  async send(doc, target, what) {
    try {
      await target.sns.send(new PublishCommand({ TopicArn: target.topicArn, Message: JSON.stringify(doc) }));
    } catch (err) {
      throw new ChatbotPublishError(`publishing ${what} to the Chatbot topic failed: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    return { status: 'sent' };
  },
};
