/**
 * `--fire-alarm`: sets the heartbeat alarm to ALARM and back to OK (CloudWatch re-evaluates it
 * within its period either way) and checks each change was relayed to the paging topic (the
 * relay's log) and, when the alarm has direct actions (the fallback topic), that CloudWatch
 * executed them.
 */
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  bad,
  type CheckLine,
  HEARTBEAT_FIX,
  ok,
  parseJson,
  REDEPLOY_FIX,
  type VerifyCheck,
  type VerifyContext,
} from '../check';
import { waitFor } from '../poll';
import { CYCLES, heartbeatAlarmName, STACK_OUTPUTS } from '../stack';

const FIRE_FIX =
  'Check the alarm relay (its log group, docs/deploy.md "Watchdog: alarm relay failed") and the fallback topic';

/** Fires the heartbeat alarm when asked to. */
export const fireAlarmCheck: VerifyCheck = (ctx) =>
  ctx.fireAlarm ? [{ check: 'fire heartbeat alarm', fix: FIRE_FIX, run: () => fireAlarm(ctx) }] : [];

/** The heartbeat alarm set to ALARM, then OK: one line per change, delivered or not. */
async function fireAlarm(ctx: VerifyContext): Promise<CheckLine[]> {
  const { clients, stack, stackName } = ctx;
  const cycle = CYCLES.find((c) => stack.alarms.includes(heartbeatAlarmName(stackName, c)));
  if (cycle === undefined)
    return [bad('fire heartbeat alarm', 'critical', 'no heartbeat alarm in the stack', REDEPLOY_FIX)];
  const name = heartbeatAlarmName(stackName, cycle);
  const check = `fire ${name}`;
  const described = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  const alarm = described.MetricAlarms?.[0];
  if (alarm?.StateValue === 'ALARM') {
    return [
      bad(check, 'warning', 'already in ALARM: not fired (there is no change to deliver)', HEARTBEAT_FIX),
    ];
  }
  const direct = (alarm?.AlarmActions ?? []).length > 0;
  const relayLog = stack.outputs[STACK_OUTPUTS.relayLogGroupName];
  const lines: CheckLine[] = [];
  for (const state of ['ALARM', 'OK'] as const) {
    const since = ctx.now().getTime();
    await clients.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: name,
        StateValue: state,
        StateReason: `cpq-monitor verify --fire-alarm: testing delivery (${state === 'ALARM' ? 'not a real outage' : 'back to normal'})`,
      }),
    );
    const seen = await awaitDelivery(ctx, { name, state, since, relayLog, direct });
    lines.push(
      deliveryLine(`${check} (${state === 'ALARM' ? 'page' : 'recovery'})`, seen, ctx.fireTimeoutMs),
    );
  }
  return lines;
}

/** One state change of the alarm to follow. */
interface Change {
  name: string;
  state: 'ALARM' | 'OK';
  /** When it was set, epoch ms. */
  since: number;
  /** The relay's log group; undefined when the stack has no relay (nothing to wait for there). */
  relayLog: string | undefined;
  /** Whether the alarm has direct actions whose execution CloudWatch records. */
  direct: boolean;
}

/** What was seen of one change's delivery by the time it was all there or the wait ran out. */
interface Delivery {
  change: Change;
  delivered: boolean;
  relayed: boolean;
  relayFailed: boolean;
  /** The history summary of the direct action, once CloudWatch ran it. */
  action: string | undefined;
}

/** Polls the relay's log and the alarm's action history until the change was delivered or time is up. */
async function awaitDelivery(ctx: VerifyContext, change: Change): Promise<Delivery> {
  const { clients } = ctx;
  const { name, state, since, relayLog, direct } = change;
  const seen: Delivery = {
    change,
    delivered: false,
    relayed: relayLog === undefined,
    relayFailed: false,
    action: undefined,
  };
  seen.delivered = await waitFor(
    async () => {
      if (!seen.relayed && relayLog !== undefined) {
        const events = await clients.logs.send(
          new FilterLogEventsCommand({
            logGroupName: relayLog,
            startTime: since,
            filterPattern: `{ $.alarm = "${name}" && $.alarmState = "${state}" }`,
          }),
        );
        for (const e of events.events ?? []) {
          const msg = parseJson(e.message)?.msg;
          if (msg === 'alarm relayed') seen.relayed = true;
          // Lambda retries a failed relay: keep waiting, a later attempt may succeed.
          if (msg === 'alarm not relayed') seen.relayFailed = true;
        }
      }
      if (direct && seen.action === undefined) {
        const h = await clients.cloudwatch.send(
          new DescribeAlarmHistoryCommand({
            AlarmName: name,
            HistoryItemType: 'Action',
            StartDate: new Date(since),
            ScanBy: 'TimestampDescending',
          }),
        );
        const item = h.AlarmHistoryItems?.[0];
        if (item !== undefined) seen.action = item.HistorySummary ?? '';
      }
      return seen.relayed && (!direct || seen.action !== undefined);
    },
    ctx.fireTimeoutMs,
    ctx.sleep,
  );
  return seen;
}

/** The checklist line of one change: delivered, or what is missing. */
function deliveryLine(check: string, seen: Delivery, timeoutMs: number): CheckLine {
  const { relayLog, direct } = seen.change;
  const { action } = seen;
  const actionFailed = action !== undefined && /^Failed/i.test(action);
  if (!seen.delivered || actionFailed) {
    const parts = [
      seen.relayed
        ? 'relayed to the paging topic'
        : seen.relayFailed
          ? `the relay failed to publish it ("alarm not relayed" in ${relayLog})`
          : `not relayed within ${Math.round(timeoutMs / 1000)} s`,
      direct ? (action === undefined ? 'no direct action seen' : `direct action: ${action}`) : undefined,
    ];
    return bad(check, 'critical', parts.filter((x) => x !== undefined).join('; '), FIRE_FIX);
  }
  const parts = [
    relayLog === undefined ? undefined : 'relayed to the paging topic with attributes',
    direct ? `direct action: ${action}` : undefined,
  ];
  return ok(check, parts.filter((x) => x !== undefined).join('; '));
}
