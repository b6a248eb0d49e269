/**
 * Watchdog alarms as pages. CloudWatch alarm actions publish CloudWatch's own JSON without message
 * attributes, so a pager subscription filtered on `severity` would never see them. The stack
 * instead sends each watchdog alarm's state change (EventBridge "CloudWatch Alarm State Change")
 * to a small relay that publishes it as an ordinary notification: same format, same attributes
 * (`severity`, `appliance` = `fleet`, `check` = `watchdog_...`, `state`, `kind`), so one filter
 * covers pages and watchdog alarms (docs/alerts.md, "Routing with SNS filter policies").
 */
import { z } from 'zod';
import { CpqMonitorError } from '../errors';
import type { Severity } from '../findings/types';
import type { AlertNotification, Notifier } from './notifier';

/** The `appliance` of every notification about the monitor itself rather than one appliance. */
export const FLEET_APPLIANCE = 'fleet';

/** What the relay needs to know of one watchdog alarm (the stack writes it, keyed by alarm name). */
export interface WatchdogAlarmInfo {
  /** `watchdog_...`: the `check` attribute and part of the alert id. */
  check: string;
  severity: Severity;
  /** Section of the deployment guide that explains the alarm. */
  anchor: string;
}

/** Watchdog alarms by alarm name. */
export type WatchdogCatalog = Record<string, WatchdogAlarmInfo>;

const WATCHDOG_CHECK = /^watchdog_[a-z0-9_]{1,80}$/;

/** The `check` of a watchdog alarm from its name without the stack prefix: `probe-heartbeat-missing` → `watchdog_probe_heartbeat_missing`. */
export function watchdogCheck(shortName: string): string {
  const check = `watchdog_${shortName.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  if (!WATCHDOG_CHECK.test(check))
    throw new Error(`watchdog alarm name "${shortName}" gives no usable check`);
  return check;
}

export const watchdogCatalogSchema = z.record(
  z.string().min(1).max(255),
  z.strictObject({
    check: z.string().regex(WATCHDOG_CHECK),
    severity: z.enum(['critical', 'warning', 'info']),
    anchor: z.string().regex(/^[a-z0-9-]{1,80}$/),
  }),
);

/** The catalog as the relay's environment carries it (JSON), validated. */
export function parseWatchdogCatalog(json: string): WatchdogCatalog {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new WatchdogRelayError('relay_config', `WATCHDOG_ALARMS is not JSON: ${(err as Error).message}`);
  }
  const parsed = watchdogCatalogSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new WatchdogRelayError('relay_config', `WATCHDOG_ALARMS is invalid: ${problems}`);
  }
  return parsed.data;
}

const alarmState = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

/** The part of EventBridge's "CloudWatch Alarm State Change" event the relay reads. */
export const alarmStateChangeSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  detail: z.object({
    alarmName: z.string().min(1).max(255),
    state: z.object({
      value: alarmState,
      reason: z.string().max(4096).optional(),
      timestamp: z.string().min(1),
    }),
    previousState: z.object({ value: alarmState, timestamp: z.string().min(1) }).optional(),
  }),
});
export type AlarmStateChange = z.infer<typeof alarmStateChangeSchema>;

/** A relay that cannot do its job: bad configuration, an unknown event, or SNS refusing the page. */
export class WatchdogRelayError extends CpqMonitorError {
  constructor(code: 'relay_config' | 'relay_event' | 'relay_publish_failed', message: string) {
    super(code, message);
  }
}

/** CloudWatch writes `2026-03-02T10:00:00.000+0000`; pages carry ISO 8601 with `Z`. */
function iso(timestamp: string): string {
  const ms = Date.parse(timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
}

/**
 * The notification for one alarm state change: ALARM is a page, OK after ALARM its recovery.
 * Anything else (OK after INSUFFICIENT_DATA when an alarm is created, INSUFFICIENT_DATA) tells
 * on-call nothing and gives `undefined`, as does an alarm that is not in the catalog.
 */
export function watchdogNotification(
  change: AlarmStateChange,
  catalog: WatchdogCatalog,
  runbookBase: string,
): AlertNotification | undefined {
  const { alarmName, state, previousState } = change.detail;
  const info = catalog[alarmName];
  if (info === undefined) return undefined;
  const recovery = state.value === 'OK' && previousState?.value === 'ALARM';
  if (state.value !== 'ALARM' && !recovery) return undefined;
  const at = iso(state.timestamp);
  const alertId = `${FLEET_APPLIANCE}/${info.check}`;
  const evidence = [
    `alarm: ${alarmName}`,
    `state: ${previousState?.value ?? '?'} -> ${state.value} at ${at}`,
  ];
  if (state.reason !== undefined && state.reason !== '') evidence.push(`reason: ${state.reason}`);
  return {
    // Stable across EventBridge's retries of the same event: subscribers de-duplicate on it.
    notificationId: `${alertId}#${at}`,
    kind: recovery ? 'recovery' : 'page',
    alertId,
    appliance: FLEET_APPLIANCE,
    check: info.check,
    severity: info.severity,
    state: recovery ? 'ok' : 'alarm',
    summary: recovery
      ? `cpq-monitor watchdog ${alarmName} is OK again`
      : `cpq-monitor watchdog ${alarmName} is in ALARM: the monitor itself is not fully working`,
    evidence,
    remediation: [
      `Follow the runbook section of this alarm; until it is OK, failures of the appliances may not page`,
    ],
    runbookUrl: `${runbookBase}#${info.anchor}`,
    since: recovery && previousState !== undefined ? iso(previousState.timestamp) : at,
    at,
  };
}

/** What the relay did with one event. */
export type RelayOutcome =
  | { status: 'sent'; notificationId: string; kind: 'page' | 'recovery'; messageId?: string }
  | { status: 'ignored'; why: string };

/**
 * Publishes one alarm state change as a notification. Throws WatchdogRelayError when the event is
 * not an alarm state change or the publish fails, so Lambda retries the event and then leaves it in
 * the failure queue (a watchdog alarm must not be dropped quietly).
 */
export async function relayAlarm(
  event: unknown,
  catalog: WatchdogCatalog,
  runbookBase: string,
  notifier: Notifier,
): Promise<RelayOutcome> {
  const parsed = alarmStateChangeSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`)
      .join('; ');
    throw new WatchdogRelayError('relay_event', `not a CloudWatch alarm state change: ${problems}`);
  }
  const { alarmName, state, previousState } = parsed.data.detail;
  if (catalog[alarmName] === undefined) {
    return { status: 'ignored', why: `alarm ${alarmName} is not a watchdog alarm of this stack` };
  }
  const n = watchdogNotification(parsed.data, catalog, runbookBase);
  if (n === undefined) {
    return {
      status: 'ignored',
      why: `${previousState?.value ?? '?'} -> ${state.value} is not a page or a recovery`,
    };
  }
  const result = await notifier.notify(n);
  if (!result.ok) {
    throw new WatchdogRelayError(
      'relay_publish_failed',
      `${n.notificationId}: ${result.code}: ${result.message}`,
    );
  }
  return {
    status: 'sent',
    notificationId: n.notificationId,
    kind: n.kind === 'recovery' ? 'recovery' : 'page',
    ...(result.messageId === undefined ? {} : { messageId: result.messageId }),
  };
}
