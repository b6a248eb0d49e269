/** The watchdog alarms: each exists, is not in ALARM, and its last direct action succeeded. */
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { bad, type CheckLine, ok, REDEPLOY_FIX, type VerifyCheck } from '../check';
import type { VerifyClients } from '../clients';

/** Every alarm of the stack, one line each. */
export const watchdogAlarmsCheck: VerifyCheck = ({ clients, stack }) => [
  {
    check: 'watchdog alarms',
    fix: 'Check that your credentials may call cloudwatch:DescribeAlarms',
    run: () => alarmLines(clients, stack.alarms),
  },
];

/** Each watchdog alarm: not in ALARM, and its last action (if it has direct ones) succeeded. */
async function alarmLines(clients: VerifyClients, names: string[]): Promise<CheckLine[]> {
  if (names.length === 0) {
    return [bad('watchdog alarms', 'critical', 'the stack has no alarms', REDEPLOY_FIX)];
  }
  const alarms: MetricAlarm[] = [];
  for (let i = 0; i < names.length; i += 100) {
    const res = await clients.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }),
    );
    alarms.push(...(res.MetricAlarms ?? []));
  }
  const lines: CheckLine[] = [];
  for (const name of names) {
    const check = `alarm ${name}`;
    const a = alarms.find((x) => x.AlarmName === name);
    if (a === undefined) {
      lines.push(bad(check, 'critical', 'missing in CloudWatch', REDEPLOY_FIX));
      continue;
    }
    const history = await clients.cloudwatch.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: name,
        HistoryItemType: 'Action',
        ScanBy: 'TimestampDescending',
        MaxRecords: 1,
      }),
    );
    const last = history.AlarmHistoryItems?.[0];
    const lastText = last === undefined ? 'no direct action yet' : `last action: ${last.HistorySummary}`;
    if (last !== undefined && /^Failed/i.test(last.HistorySummary ?? '')) {
      lines.push(
        bad(
          check,
          'critical',
          lastText,
          "CloudWatch could not notify the topic: check the topic and key policies allow this account's alarms (docs/deploy.md, 'Who may publish to the topics') and that the key is enabled",
        ),
      );
    } else if (a.StateValue === 'ALARM') {
      const anchor = /#(watchdog-[a-z-]+)/.exec(a.AlarmDescription ?? '')?.[1];
      lines.push(
        bad(
          check,
          'critical',
          `in ALARM: ${a.StateReason ?? ''} (${lastText})`,
          `Follow docs/deploy.md${anchor ? `#${anchor}` : ', "When a watchdog alarm fires"'}`,
        ),
      );
    } else {
      lines.push(ok(check, `${a.StateValue}, ${lastText}`));
    }
  }
  return lines;
}
