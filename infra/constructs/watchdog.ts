/**
 * Watching the watcher: alarms that fire when a cycle stops reporting (missing `MonitorHeartbeat`
 * counts as breaching), fails, is throttled, runs close to its timeout, or leaves failed
 * invocations in the failure queue. Every alarm notifies the paging topic and links its runbook.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS, type Inventory } from '../../shared/inventory';
import { type CycleName, cycleIntervalMinutes, cycleShards } from '../deploy-plan';
import { CYCLE_FUNCTION_SIZING } from '../sizing';
import type { CycleFunction } from './cycle-function';

/** What the watchdog watches. */
export interface WatchdogProps {
  readonly inventory: Inventory;
  readonly functions: Partial<Record<CycleName, CycleFunction>>;
  readonly failureQueue: IQueue;
  readonly topic: ITopic;
}

/** Runbook anchors in docs/deploy.md ("When a watchdog alarm fires"). */
export const WATCHDOG_ANCHORS = {
  heartbeat: 'watchdog-heartbeat-missing',
  errors: 'watchdog-function-errors',
  throttles: 'watchdog-function-throttled',
  duration: 'watchdog-duration-near-timeout',
  failures: 'watchdog-failed-invocations',
} as const;

/** Intervals one heartbeat alarm window spans (one late schedule run is not an outage). */
export const HEARTBEAT_MISSING_INTERVALS = 3;
/** Period of the error, throttle, duration and queue alarms. */
const WATCH_PERIOD = Duration.minutes(5);

/**
 * The heartbeat alarm of a cycle: every shard sends one heartbeat per interval (and none when it
 * ran out of time), so a window of `HEARTBEAT_MISSING_INTERVALS` intervals expects that many per
 * shard. The alarm fires below that count minus one: one late or skipped run passes, one silent
 * shard among many does not (it takes away a whole window's worth).
 */
export function heartbeatWindow(
  intervalMinutes: number,
  shards: number,
): { periodSeconds: number; threshold: number } {
  const intervals = Math.max(
    1,
    Math.min(HEARTBEAT_MISSING_INTERVALS, Math.floor(86_400 / (intervalMinutes * 60))),
  );
  const expected = intervals * Math.max(1, shards);
  return { periodSeconds: intervals * intervalMinutes * 60, threshold: Math.max(1, expected - 1) };
}

/** The watchdog alarms, all notifying the topic (alarm and OK). */
export class Watchdog extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: WatchdogProps) {
    super(scope, id);
    const inv = props.inventory;
    const runbook = (anchor: string) =>
      `Runbook: ${inv.deploy?.runbookUrl ?? DEFAULTS.deployRunbookUrl}#${anchor}`;
    const prefix = Stack.of(this).stackName;
    const action = new SnsAction(props.topic);
    const add = (
      name: string,
      metric: IMetric,
      o: {
        threshold: number;
        comparison: ComparisonOperator;
        evaluationPeriods?: number;
        missing: TreatMissingData;
        description: string;
      },
    ) => {
      const alarm = new Alarm(this, name, {
        alarmName: `${prefix}-${name}`,
        alarmDescription: o.description,
        metric,
        threshold: o.threshold,
        comparisonOperator: o.comparison,
        evaluationPeriods: o.evaluationPeriods ?? 1,
        datapointsToAlarm: o.evaluationPeriods ?? 1,
        treatMissingData: o.missing,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    for (const [cycle, cf] of Object.entries(props.functions) as [CycleName, CycleFunction][]) {
      const interval = cycleIntervalMinutes(inv, cycle);
      const shards = cycleShards(inv, cycle).length;
      const { periodSeconds, threshold } = heartbeatWindow(interval, shards);
      add(`${cycle}-heartbeat-missing`, heartbeatMetric(inv.monitor.namespace, cycle, periodSeconds), {
        threshold,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data is exactly what a dead cycle looks like.
        missing: TreatMissingData.BREACHING,
        description: `The ${cycle} cycle's ${shards} shard(s) sent fewer than ${threshold} MonitorHeartbeat in ${periodSeconds / 60} min (one per shard every ${interval} min when a cycle finishes its work): a shard is not running or not keeping up, so some appliances are not watched. ${runbook(WATCHDOG_ANCHORS.heartbeat)}`,
      });
      const fn = cf.function;
      add(`${cycle}-function-errors`, fn.metricErrors({ period: WATCH_PERIOD, statistic: Stats.SUM }), {
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: TreatMissingData.NOT_BREACHING,
        description: `The ${cycle} cycle function failed (Errors ≥ 1 in 5 min). ${runbook(WATCHDOG_ANCHORS.errors)}`,
      });
      add(`${cycle}-function-throttled`, fn.metricThrottles({ period: WATCH_PERIOD, statistic: Stats.SUM }), {
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: TreatMissingData.NOT_BREACHING,
        description: `The ${cycle} cycle function was throttled (its reserved concurrency is its shard count). ${runbook(WATCHDOG_ANCHORS.throttles)}`,
      });
      const limitMs = Math.round(cf.timeout.toMilliseconds() * CYCLE_FUNCTION_SIZING.durationAlarmShare);
      add(
        `${cycle}-duration-near-timeout`,
        fn.metricDuration({ period: WATCH_PERIOD, statistic: Stats.MAXIMUM }),
        {
          threshold: limitMs,
          comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          missing: TreatMissingData.NOT_BREACHING,
          description: `The ${cycle} cycle ran ≥ ${limitMs} ms, ${CYCLE_FUNCTION_SIZING.durationAlarmShare * 100}% of its ${cf.timeout.toSeconds()} s timeout. ${runbook(WATCHDOG_ANCHORS.duration)}`,
        },
      );
    }
    add(
      'failed-invocations',
      props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: WATCH_PERIOD,
        statistic: Stats.MAXIMUM,
      }),
      {
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: TreatMissingData.NOT_BREACHING,
        description: `Cycle invocations failed or could not be delivered and wait in the failure queue. ${runbook(WATCHDOG_ANCHORS.failures)}`,
      },
    );
  }
}

/** The heartbeat every cycle invocation emits (dimension `Cycle`), counted per period. */
export function heartbeatMetric(namespace: string, cycle: CycleName, periodSeconds: number): Metric {
  return new Metric({
    namespace,
    metricName: 'MonitorHeartbeat',
    dimensionsMap: { Cycle: cycle },
    statistic: Stats.SAMPLE_COUNT,
    period: Duration.seconds(periodSeconds),
  });
}
