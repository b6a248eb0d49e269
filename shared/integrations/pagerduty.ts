/**
 * PagerDuty Events API v2: one alert event per notification, keyed by the alert id, so a page
 * opens an incident, reminders and escalations add to it, and the recovery resolves it. The
 * request fields, limits and response codes are described in docs/alerts.md (PagerDuty). The
 * routing key is read from Secrets Manager (`routing-key.ts`).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { AlertNotification } from '../alerts/document';
import { subjectOf } from '../alerts/format';
import { CpqMonitorError, errorMessage } from '../errors';
import type { Severity } from '../findings/types';
import { clip, printable } from '../text';
import { postJson } from './https-post';
import { envSettings, type Integration } from './integration';
import type { AlarmNotification } from './message';
import { routingKeyReader } from './routing-key';

/** The Events API v2 endpoint of each PagerDuty service region. */
export const PAGERDUTY_ENDPOINTS = {
  us: 'https://events.pagerduty.com/v2/enqueue',
  eu: 'https://events.eu.pagerduty.com/v2/enqueue',
} as const;

/** Limits of the Events API v2 (PagerDuty's "Send an Alert Event" and "Events API v2 Overview"). */
export const PAGERDUTY_LIMITS = {
  dedupKey: 255,
  summary: 1024,
  /** Whole request body. */
  payloadBytes: 512 * 1024,
} as const;

/** What cpq-monitor's severities become in PagerDuty (`error` is not used). */
export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, 'critical' | 'warning' | 'info'>> = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
};

/** One Events API v2 alert event. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  client?: string;
  links?: { href: string; text: string }[];
}

/**
 * The dedup key for an id: the id itself when it fits PagerDuty's 255 characters, otherwise its
 * start and a SHA-256 of the whole (so a trigger and its resolve still share one key).
 */
export function dedupKeyOf(id: string): string {
  if (id.length <= PAGERDUTY_LIMITS.dedupKey) return id;
  const hash = createHash('sha256').update(id).digest('hex');
  return `${id.slice(0, PAGERDUTY_LIMITS.dedupKey - hash.length - 1)}#${hash}`;
}

function webLinks(url: string, text: string): { links?: { href: string; text: string }[] } {
  return /^https?:\/\/\S+$/i.test(url) ? { links: [{ href: url, text }] } : {};
}

/**
 * The event for one notification: the recovery resolves, everything else triggers, all with the
 * alert id as dedup key (PagerDuty adds a repeated trigger to the open alert instead of opening
 * another; after a resolve the next trigger opens a new one, as a new incident should).
 */
export function pagerDutyEventOf(n: AlertNotification, routingKey: string): PagerDutyEvent {
  const dedupKey = dedupKeyOf(n.alertId);
  if (n.kind === 'recovery') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: clip(printable(subjectOf(n)), PAGERDUTY_LIMITS.summary),
      source: n.appliance,
      severity: PAGERDUTY_SEVERITY[n.severity],
      timestamp: n.at,
      component: n.check,
      group: 'cpq-monitor',
      class: n.check,
      custom_details: {
        summary: n.summary,
        kind: n.kind,
        alertId: n.alertId,
        notificationId: n.notificationId,
        since: n.since,
        ...(n.previousSeverity ? { previousSeverity: n.previousSeverity } : {}),
        ...(n.deferredBy ? { heldBackBy: n.deferredBy } : {}),
        evidence: n.evidence,
        fix: n.remediation,
        runbook: n.runbookUrl,
      },
    },
    client: 'cpq-monitor',
    ...webLinks(n.runbookUrl, `Runbook: ${n.check}`),
  };
}

/** The event for a watchdog alarm: ALARM triggers, OK resolves, INSUFFICIENT_DATA sends nothing. */
export function pagerDutyAlarmEventOf(a: AlarmNotification, routingKey: string): PagerDutyEvent | undefined {
  const dedupKey = dedupKeyOf(`cloudwatch-alarm/${a.AlarmArn ?? a.AlarmName}`);
  if (a.NewStateValue === 'OK')
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  if (a.NewStateValue !== 'ALARM') return undefined;
  const runbook = /https?:\/\/\S+/.exec(a.AlarmDescription ?? '')?.[0];
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: clip(
        printable(`ALARM ${a.AlarmName}: ${a.NewStateReason ?? 'state ALARM'}`),
        PAGERDUTY_LIMITS.summary,
      ),
      source: 'cpq-monitor watchdog',
      // The watchdog fires when the monitor itself stops working: nothing else would page then.
      severity: 'critical',
      ...(a.StateChangeTime ? { timestamp: a.StateChangeTime } : {}),
      group: 'cpq-monitor',
      class: 'watchdog',
      custom_details: {
        alarm: a.AlarmName,
        description: a.AlarmDescription ?? '',
        reason: a.NewStateReason ?? '',
        ...(a.AlarmArn ? { alarmArn: a.AlarmArn } : {}),
      },
    },
    client: 'cpq-monitor',
    ...(runbook ? webLinks(runbook, 'Runbook') : {}),
  };
}

/** Where and how to send events. */
export interface PagerDutyClientOptions {
  /** The Events API URL: one of PAGERDUTY_ENDPOINTS (tests point it at a local server). */
  url: string;
  /** Extra CA (PEM) to trust, for a test server only. */
  ca?: string;
  /** Deadline of one request (default 10 s). */
  timeoutMs?: number;
  /** Wait before sending again after a 404 (default NOT_FOUND_RETRY.delayMs; tests use 0). */
  notFoundDelayMs?: number;
}

/**
 * A 404 is sent again this many times in all, `delayMs` apart, then rejected: PagerDuty answers
 * 404 for a routing key it does not know (revoked, mistyped) but also, briefly, while a service
 * is being changed. Rejected events go to the dead-letter queue (docs/deploy.md#integration-failures).
 */
export const NOT_FOUND_RETRY = { attempts: 3, delayMs: 2000 } as const;

/** What PagerDuty answered to one event. */
export type PagerDutyResult =
  | { outcome: 'accepted'; status: number; dedupKey: string }
  /** 400: the event is invalid; sending it again cannot help. */
  | { outcome: 'rejected'; status: number; message: string; errors: string[] };

/** 429, 5xx or no answer: worth sending again later (Lambda's retries, then the DLQ). */
export class PagerDutyRetryableError extends CpqMonitorError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('pagerduty_retryable', message);
  }
}

/** Replaces every occurrence of the routing key in peer text, so no log line carries it. */
function withoutKey(text: string, key: string): string {
  return key.length > 0 ? text.split(key).join('[routing key]') : text;
}

function parseBody(body: string): { message?: string; errors?: string[]; dedup_key?: string } {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    return {
      ...(typeof json.message === 'string' ? { message: json.message } : {}),
      ...(Array.isArray(json.errors) ? { errors: json.errors.map(String) } : {}),
      ...(typeof json.dedup_key === 'string' ? { dedup_key: json.dedup_key } : {}),
    };
  } catch {
    return {};
  }
}

/** One POST of the event; no answer at all is retryable. */
async function postOnce(
  event: PagerDutyEvent,
  opts: PagerDutyClientOptions,
): Promise<Awaited<ReturnType<typeof postJson>>> {
  try {
    return await postJson(opts.url, event, {
      timeoutMs: opts.timeoutMs ?? 10_000,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
  } catch (err) {
    throw new PagerDutyRetryableError(
      `PagerDuty not reached: ${withoutKey(errorMessage(err), event.routing_key)}`,
      0,
    );
  }
}

/** Sends one event (a 404 up to NOT_FOUND_RETRY.attempts times). Resolves on 202 and on 400 (rejected); throws PagerDutyRetryableError otherwise. */
export async function sendPagerDutyEvent(
  event: PagerDutyEvent,
  opts: PagerDutyClientOptions,
): Promise<PagerDutyResult> {
  const key = event.routing_key;
  const size = Buffer.byteLength(JSON.stringify(event));
  if (size > PAGERDUTY_LIMITS.payloadBytes) {
    // Evidence is already capped by the cycle; this is the last guard before PagerDuty's 400.
    return {
      outcome: 'rejected',
      status: 0,
      message: `event of ${size} bytes is over the Events API limit of ${PAGERDUTY_LIMITS.payloadBytes}`,
      errors: [],
    };
  }
  let res = await postOnce(event, opts);
  for (let attempt = 1; res.status === 404 && attempt < NOT_FOUND_RETRY.attempts; attempt++) {
    await sleep(opts.notFoundDelayMs ?? NOT_FOUND_RETRY.delayMs);
    res = await postOnce(event, opts);
  }
  const body = parseBody(res.body);
  if (res.status >= 200 && res.status < 300) {
    return { outcome: 'accepted', status: res.status, dedupKey: body.dedup_key ?? event.dedup_key };
  }
  const detail = withoutKey(
    [body.message, ...(body.errors ?? [])].filter(Boolean).join('; ') || res.body.slice(0, 300),
    key,
  );
  if (res.status === 429 || res.status === 408 || res.status >= 500) {
    const wait = res.retryAfterSeconds === undefined ? '' : ` (retry after ${res.retryAfterSeconds} s)`;
    throw new PagerDutyRetryableError(`PagerDuty answered ${res.status}${wait}: ${detail}`, res.status);
  }
  if (res.status >= 400 && res.status < 500) {
    const tries = res.status === 404 ? ` after ${NOT_FOUND_RETRY.attempts} attempts` : '';
    return {
      outcome: 'rejected',
      status: res.status,
      message: withoutKey(`${body.message ?? `HTTP ${res.status}`}${tries}`, key),
      errors: (body.errors ?? []).map((e) => withoutKey(e, key)),
    };
  }
  throw new PagerDutyRetryableError(`PagerDuty answered an unexpected ${res.status}: ${detail}`, res.status);
}

const pagerDutyEnv = z.object({
  PAGERDUTY_SECRET_ID: z.string().min(1),
  PAGERDUTY_REGION: z.enum(['us', 'eu']).default('us'),
});

/** The PagerDuty side: the routing key (read from Secrets Manager on demand) and the endpoint. */
export interface PagerDutyTarget extends PagerDutyClientOptions {
  routingKey: () => Promise<string>;
}

/** PagerDuty Events API v2: trigger, or resolve on a recovery (or an alarm's OK). */
export const pagerDuty: Integration<z.infer<typeof pagerDutyEnv>, PagerDutyTarget, PagerDutyEvent> = {
  name: 'pagerduty',
  settingsFromEnv: (env) => envSettings(pagerDutyEnv, env),
  // The endpoint follows the account's service region.
  connect: (settings, clients) => ({
    url: PAGERDUTY_ENDPOINTS[settings.PAGERDUTY_REGION],
    routingKey: routingKeyReader(clients.secretsManager, settings.PAGERDUTY_SECRET_ID),
  }),
  async render(message, target) {
    const key = await target.routingKey();
    const event =
      message.type === 'alert'
        ? pagerDutyEventOf(message.notification, key)
        : pagerDutyAlarmEventOf(message.alarm, key);
    return event === undefined ? { skip: 'no PagerDuty event for this alarm state' } : { payload: event };
  },
  async send(event, target) {
    const result = await sendPagerDutyEvent(event, target);
    if (result.outcome === 'rejected') {
      return {
        status: 'rejected',
        reason: `PagerDuty refused the ${event.event_action} (HTTP ${result.status}): ${result.message}`,
        errors: result.errors,
      };
    }
    return { status: 'sent', dedupKey: event.dedup_key, action: event.event_action };
  },
};
