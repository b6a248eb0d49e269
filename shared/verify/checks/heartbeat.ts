/**
 * The heartbeat of each cycle: the metric has data over the alarm's window, and every shard logged
 * a finished cycle (`cycle done` with nothing skipped) within it.
 */
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DIMENSION, type MetricName } from '../../metrics/datum';
import { bad, type CheckLine, HEARTBEAT_FIX, ok, parseJson, type VerifyCheck } from '../check';
import type { VerifyClients } from '../clients';
import { CYCLES, type CycleName, STACK_OUTPUTS } from '../stack';

/** The heartbeat of each cycle the stack runs. */
export const heartbeatCheck: VerifyCheck = ({ clients, stack, now }) =>
  CYCLES.flatMap((cycle) => {
    if (stack.outputs[STACK_OUTPUTS.functionName[cycle]] === undefined) return [];
    return [
      {
        check: `heartbeat (${cycle})`,
        fix: HEARTBEAT_FIX,
        run: () => heartbeat(clients, stack.outputs, cycle, now()),
      },
    ];
  });

/** The window a heartbeat is judged over: three cycle intervals up to `end`. */
interface Window {
  cycle: CycleName;
  start: Date;
  end: Date;
  minutes: number;
}

async function heartbeat(
  clients: VerifyClients,
  out: Record<string, string>,
  cycle: CycleName,
  at: Date,
): Promise<CheckLine[]> {
  const interval = Number(out[STACK_OUTPUTS.intervalMinutes[cycle]] ?? (cycle === 'probe' ? 1 : 5));
  const minutes = 3 * interval;
  const window: Window = { cycle, start: new Date(at.getTime() - minutes * 60_000), end: at, minutes };
  const lines = [await metricLine(clients, out[STACK_OUTPUTS.metricsNamespace] ?? 'CPQMonitor', window)];
  const logGroup = out[STACK_OUTPUTS.logGroupName[cycle]];
  if (logGroup !== undefined) lines.push(await shardsLine(clients, logGroup, window));
  return lines;
}

/** MonitorHeartbeat has samples in the window. */
async function metricLine(clients: VerifyClients, namespace: string, w: Window): Promise<CheckLine> {
  const stats = await clients.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: 'MonitorHeartbeat' satisfies MetricName,
      Dimensions: [{ Name: DIMENSION.cycle, Value: w.cycle }],
      StartTime: w.start,
      EndTime: w.end,
      Period: w.minutes * 60,
      Statistics: ['SampleCount'],
    }),
  );
  const samples = (stats.Datapoints ?? []).reduce((n, d) => n + (d.SampleCount ?? 0), 0);
  return samples > 0
    ? ok(`heartbeat metric (${w.cycle})`, `${samples} MonitorHeartbeat in the last ${w.minutes} min`)
    : bad(
        `heartbeat metric (${w.cycle})`,
        'critical',
        `no MonitorHeartbeat in ${namespace} in the last ${w.minutes} min`,
        HEARTBEAT_FIX,
      );
}

/** Every shard logged a finished cycle in the window. */
async function shardsLine(clients: VerifyClients, logGroup: string, w: Window): Promise<CheckLine> {
  const seen = new Set<number>();
  let shards = 0;
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: logGroup,
        startTime: w.start.getTime(),
        endTime: w.end.getTime(),
        filterPattern: '{ $.msg = "cycle done" }',
        ...(token ? { nextToken: token } : {}),
      }),
    );
    for (const e of res.events ?? []) {
      const rec = parseJson(e.message) as
        | { shard?: { index?: number; count?: number }; skipped?: unknown[] }
        | undefined;
      if (rec?.shard?.index === undefined) continue;
      shards = Math.max(shards, rec.shard.count ?? 0);
      if ((rec.skipped ?? []).length === 0) seen.add(rec.shard.index);
    }
    token = res.nextToken;
    pages += 1;
  } while (token && pages < 50);
  const check = `shards (${w.cycle})`;
  if (shards === 0) {
    return bad(
      check,
      'critical',
      `no "cycle done" record in ${logGroup} in the last ${w.minutes} min`,
      HEARTBEAT_FIX,
    );
  }
  const silent = Array.from({ length: shards }, (_, i) => i).filter((i) => !seen.has(i));
  return silent.length === 0
    ? ok(check, `all ${shards} shard(s) finished a cycle in the last ${w.minutes} min`)
    : bad(
        check,
        'critical',
        `shard(s) ${silent.join(', ')} of ${shards} finished no cycle in the last ${w.minutes} min`,
        `${HEARTBEAT_FIX}; the schedules are named per shard`,
      );
}
