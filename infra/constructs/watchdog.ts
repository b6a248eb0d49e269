/**
 * Watching the watcher: alarms that fire when a cycle stops reporting (missing `MonitorHeartbeat`
 * counts as breaching), fails, is throttled, runs close to its timeout, leaves failed invocations
 * in the failure queue, fails to page (`PagesFailed`), or when SNS fails to deliver from the paging
 * topic (`NumberOfNotificationsFailed`). Every alarm links its runbook section and reaches people
 * two ways: through the alarm relay (a page on the paging topic with the same message attributes
 * as any page) and, when `deploy.fallback` is set, directly from CloudWatch to the fallback topic,
 * so a broken relay or a broken paging topic still reaches someone. The relay's own alarm notifies
 * the paging topic directly (no attributes then) and the fallback.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type WatchdogCatalog, watchdogCheck } from '../../shared/alerts/watchdog-alarm';
import type { Severity } from '../../shared/findings/types';
import { DEFAULTS, type Inventory } from '../../shared/inventory';
import { type CycleName, cycleIntervalMinutes, cycleShards } from '../deploy-plan';
import { CYCLE_FUNCTION_SIZING } from '../sizing';
import { AlarmRelay } from './alarm-relay';
import type { CycleFunction } from './cycle-function';

/** What the watchdog watches. */
export interface WatchdogProps {
  readonly inventory: Inventory;
  readonly functions: Partial<Record<CycleName, CycleFunction>>;
  readonly failureQueue: IQueue;
  /** The paging topic and its key (the relay publishes there). */
  readonly topic: ITopic;
  readonly topicKey: IKey;
  /** The second channel, notified directly by every alarm (`deploy.fallback`). */
  readonly fallbackTopic?: ITopic;
}

/** Runbook anchors in docs/deploy.md ("When a watchdog alarm fires"). */
export const WATCHDOG_ANCHORS = {
  heartbeat: 'watchdog-heartbeat-missing',
  errors: 'watchdog-function-errors',
  throttles: 'watchdog-function-throttled',
  duration: 'watchdog-duration-near-timeout',
  failures: 'watchdog-failed-invocations',
  pagesFailed: 'watchdog-pages-failed',
  notificationsFailed: 'watchdog-notifications-failed',
  relayFailed: 'watchdog-alarm-relay-failed',
} as const;

/** The metric the cycles write for notifications that failed after retries (dimension `Cycle`). */
export const PAGES_FAILED_METRIC = 'PagesFailed';
/** Name (after the stack prefix) of the relay's own alarm: it cannot be relayed, it pages directly. */
export const RELAY_ALARM = 'alarm-relay-failed';

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

/** How one alarm judges its metric, what it is about, and where its runbook section is. */
interface AlarmSpec {
  threshold: number;
  comparison: ComparisonOperator;
  evaluationPeriods?: number;
  missing: TreatMissingData;
  description: string;
  severity: Severity;
  anchor: string;
}

/** The usual watchdog rule: any one occurrence in the period fires; no data is no trouble. */
const ANY_ONE = {
  threshold: 1,
  comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  missing: TreatMissingData.NOT_BREACHING,
} as const;

/** The watchdog alarms, the relay that pages them with attributes, and their direct fallback path. */
export class Watchdog extends Construct {
  readonly alarms: Alarm[] = [];
  /** Relayed alarms by alarm name: check, severity, runbook anchor. */
  readonly catalog: WatchdogCatalog = {};
  readonly relay: AlarmRelay;
  private readonly prefix: string;
  private readonly runbookUrl: string;
  private readonly fallback: SnsAction | undefined;

  constructor(scope: Construct, id: string, props: WatchdogProps) {
    super(scope, id);
    const inv = props.inventory;
    this.prefix = Stack.of(this).stackName;
    this.runbookUrl = inv.deploy?.runbookUrl ?? DEFAULTS.deployRunbookUrl;
    this.fallback = props.fallbackTopic === undefined ? undefined : new SnsAction(props.fallbackTopic);
    for (const [cycle, cf] of Object.entries(props.functions) as [CycleName, CycleFunction][])
      this.cycleAlarms(inv, cycle, cf);
    this.add(
      'topic-notifications-failed',
      props.topic.metricNumberOfNotificationsFailed({ period: WATCH_PERIOD, statistic: Stats.SUM }),
      {
        ...ANY_ONE,
        severity: 'critical',
        anchor: WATCHDOG_ANCHORS.notificationsFailed,
        description: `SNS failed to deliver messages from the paging topic to a subscription (NumberOfNotificationsFailed ≥ 1 in 5 min). ${this.runbook(WATCHDOG_ANCHORS.notificationsFailed)}`,
      },
    );
    this.add(
      'failed-invocations',
      props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: WATCH_PERIOD,
        statistic: Stats.MAXIMUM,
      }),
      {
        ...ANY_ONE,
        severity: 'warning',
        anchor: WATCHDOG_ANCHORS.failures,
        description: `Cycle invocations or watchdog alarm relays failed or could not be delivered and wait in the failure queue. ${this.runbook(WATCHDOG_ANCHORS.failures)}`,
      },
    );

    this.relay = new AlarmRelay(this, 'AlarmRelay', {
      inventory: inv,
      catalog: { ...this.catalog },
      runbookUrl: this.runbookUrl,
      topic: props.topic,
      topicKey: props.topicKey,
      failureQueue: props.failureQueue,
    });
    this.alarms.push(this.relayFailedAlarm(props.topic));
  }

  private runbook(anchor: string): string {
    return `Runbook: ${this.runbookUrl}#${anchor}`;
  }

  /** One relayed alarm: notifies the fallback directly and enters the relay's catalog. */
  private add(name: string, metric: IMetric, o: AlarmSpec): Alarm {
    const alarm = new Alarm(this, name, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: o.description,
      metric,
      threshold: o.threshold,
      comparisonOperator: o.comparison,
      evaluationPeriods: o.evaluationPeriods ?? 1,
      datapointsToAlarm: o.evaluationPeriods ?? 1,
      treatMissingData: o.missing,
    });
    if (this.fallback !== undefined) {
      alarm.addAlarmAction(this.fallback);
      alarm.addOkAction(this.fallback);
    }
    this.alarms.push(alarm);
    this.catalog[`${this.prefix}-${name}`] = {
      check: watchdogCheck(name),
      severity: o.severity,
      anchor: o.anchor,
    };
    return alarm;
  }

  /** A cycle's alarms: heartbeat missing, errors, throttles, duration near the timeout, pages failed. */
  private cycleAlarms(inv: Inventory, cycle: CycleName, cf: CycleFunction): void {
    const interval = cycleIntervalMinutes(inv, cycle);
    const shards = cycleShards(inv, cycle).length;
    const { periodSeconds, threshold } = heartbeatWindow(interval, shards);
    this.add(`${cycle}-heartbeat-missing`, heartbeatMetric(inv.monitor.namespace, cycle, periodSeconds), {
      threshold,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data is exactly what a dead cycle looks like.
      missing: TreatMissingData.BREACHING,
      severity: 'critical',
      anchor: WATCHDOG_ANCHORS.heartbeat,
      description: `The ${cycle} cycle's ${shards} shard(s) sent fewer than ${threshold} MonitorHeartbeat in ${periodSeconds / 60} min (one per shard every ${interval} min when a cycle finishes its work): a shard is not running or not keeping up, so some appliances are not watched. ${this.runbook(WATCHDOG_ANCHORS.heartbeat)}`,
    });
    const fn = cf.function;
    this.add(`${cycle}-function-errors`, fn.metricErrors({ period: WATCH_PERIOD, statistic: Stats.SUM }), {
      ...ANY_ONE,
      severity: 'critical',
      anchor: WATCHDOG_ANCHORS.errors,
      description: `The ${cycle} cycle function failed (Errors ≥ 1 in 5 min). ${this.runbook(WATCHDOG_ANCHORS.errors)}`,
    });
    this.add(
      `${cycle}-function-throttled`,
      fn.metricThrottles({ period: WATCH_PERIOD, statistic: Stats.SUM }),
      {
        ...ANY_ONE,
        severity: 'warning',
        anchor: WATCHDOG_ANCHORS.throttles,
        description: `The ${cycle} cycle function was throttled (its reserved concurrency is its shard count). ${this.runbook(WATCHDOG_ANCHORS.throttles)}`,
      },
    );
    const limitMs = Math.round(cf.timeout.toMilliseconds() * CYCLE_FUNCTION_SIZING.durationAlarmShare);
    this.add(
      `${cycle}-duration-near-timeout`,
      fn.metricDuration({ period: WATCH_PERIOD, statistic: Stats.MAXIMUM }),
      {
        ...ANY_ONE,
        threshold: limitMs,
        severity: 'warning',
        anchor: WATCHDOG_ANCHORS.duration,
        description: `The ${cycle} cycle ran ≥ ${limitMs} ms, ${CYCLE_FUNCTION_SIZING.durationAlarmShare * 100}% of its ${cf.timeout.toSeconds()} s timeout. ${this.runbook(WATCHDOG_ANCHORS.duration)}`,
      },
    );
    this.add(`${cycle}-pages-failed`, pagesFailedMetric(inv.monitor.namespace, cycle), {
      ...ANY_ONE,
      severity: 'critical',
      anchor: WATCHDOG_ANCHORS.pagesFailed,
      description: `The ${cycle} cycle could not publish a page or recovery to the paging topic (PagesFailed ≥ 1 in 5 min): on-call may not hear of a failing appliance. ${this.runbook(WATCHDOG_ANCHORS.pagesFailed)}`,
    });
  }

  /**
   * The relay's own failures cannot go through the relay: CloudWatch notifies the paging topic
   * directly (without message attributes: an attribute-filtered subscription drops it) and the
   * fallback. Errors of the function and events EventBridge could not hand to it both count.
   */
  private relayFailedAlarm(topic: ITopic): Alarm {
    const relayFailed = new Alarm(this, RELAY_ALARM, {
      alarmName: `${this.prefix}-${RELAY_ALARM}`,
      alarmDescription: `The watchdog alarm relay failed (function errors or events EventBridge could not deliver ≥ 1 in 5 min): watchdog alarms may not reach the pager with attributes. ${this.runbook(WATCHDOG_ANCHORS.relayFailed)}`,
      metric: new MathExpression({
        expression: 'FILL(errors, 0) + FILL(undelivered, 0)',
        usingMetrics: {
          errors: this.relay.function.metricErrors({ period: WATCH_PERIOD, statistic: Stats.SUM }),
          undelivered: new Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap: { RuleName: this.relay.rule.ruleName },
            statistic: Stats.SUM,
            period: WATCH_PERIOD,
          }),
        },
        period: WATCH_PERIOD,
        label: 'relay failures',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const a of [new SnsAction(topic), ...(this.fallback === undefined ? [] : [this.fallback])]) {
      relayFailed.addAlarmAction(a);
      relayFailed.addOkAction(a);
    }
    return relayFailed;
  }
}

/** Notifications a cycle could not deliver after retries, summed over 5 minutes (every shard adds its own). */
export function pagesFailedMetric(namespace: string, cycle: CycleName): Metric {
  return new Metric({
    namespace,
    metricName: PAGES_FAILED_METRIC,
    dimensionsMap: { Cycle: cycle },
    statistic: Stats.SUM,
    period: WATCH_PERIOD,
  });
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
