/**
 * The dashboard's fleet rows: whether quarantine flows, certificates, queues and pages, the
 * shards' heartbeats and the cycles' Lambda health, all from fleet metrics summed over shards
 * (SEARCH expressions) and Logs Insights over the cycles' records.
 */
import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Color,
  GraphWidget,
  type IMetric,
  type IWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  SingleValueWidget,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { DEFAULTS, type Inventory } from '../../shared/inventory';
import { type CycleName, cycleAppliances, cycleIntervalMinutes, cycleShards } from '../deploy-plan';
import type { CycleFunction } from './cycle-function';
import { APPLIANCE_RECORD, FLEET_METRICS, SHARD_SUMMARY_MSG } from './dashboard-names';
import { heartbeatMetric } from './watchdog';

/** The cycles' functions by cycle (only the cycles the inventory runs). */
export type CycleFunctions = Partial<Record<CycleName, CycleFunction>>;

/** Seconds of a cycle's interval: one write per shard per interval, so Sum over it is the fleet total. */
export function intervalSeconds(inv: Inventory, cycle: CycleName): number {
  return cycleIntervalMinutes(inv, cycle) * 60;
}

/**
 * The fleet total of a count metric: every shard writes its part once per interval, per value of
 * `dimension`, so the SEARCH's Sum over one interval, summed over the dimension, is the fleet.
 */
function fleetTotal(
  inv: Inventory,
  metric: string,
  dimension: string,
  filter: string,
  seconds: number,
  label: string,
  color?: string,
): MathExpression {
  const ns = inv.monitor.namespace;
  return new MathExpression({
    expression: `SUM(SEARCH('{"${ns}",${dimension}} MetricName="${metric}"${filter}', 'Sum', ${seconds}))`,
    label,
    period: Duration.seconds(seconds),
    usingMetrics: {},
    ...(color !== undefined ? { color } : {}),
  });
}

/** Findings open in the fleet at one severity: the probe and SSH cycles' totals, on the SSH period. */
function findingsTotal(inv: Inventory, severity: string, color: string): MathExpression {
  const ns = inv.monitor.namespace;
  const probe = intervalSeconds(inv, 'probe');
  const ssh = intervalSeconds(inv, 'ssh');
  const period = Math.max(probe, ssh);
  const search = (cycle: CycleName) =>
    `SUM(SEARCH('{"${ns}",Cycle,Severity} MetricName="${FLEET_METRICS.findingsOpen}" Cycle="${cycle}" Severity="${severity}"', 'Sum', ${period}))`;
  // Over `period`, a cycle with a shorter interval wrote period/interval times per shard.
  return new MathExpression({
    expression: `FILL(${search('probe')}, 0) / ${period / probe} + FILL(${search('ssh')}, 0) / ${period / ssh}`,
    label: severity,
    period: Duration.seconds(period),
    usingMetrics: {},
    color,
  });
}

function rolesMetric(inv: Inventory, metric: string, statistic: string, seconds: number, label: string) {
  const ns = inv.monitor.namespace;
  const fn = statistic === Stats.MINIMUM ? 'MIN' : 'MAX';
  return new MathExpression({
    expression: `${fn}(SEARCH('{"${ns}",Role} MetricName="${metric}"', '${statistic}', ${seconds}))`,
    label,
    period: Duration.seconds(seconds),
    usingMetrics: {},
  });
}

/** What every fleet row reads: the inventory, the cycles' periods and functions, the fleet series. */
interface Fleet {
  inv: Inventory;
  probe: number;
  ssh: number;
  /** The longer of the two cycles' intervals, in seconds. */
  period: number;
  cycles: [CycleName, CycleFunction][];
  logGroups: string[];
  pathsDown: MathExpression;
  listenersDown: MathExpression;
  anonymous: MathExpression;
  expiring: MathExpression;
  sshFailures: MathExpression;
  notOnline: MathExpression;
  backlogs: MathExpression;
}

function fleetOf(inv: Inventory, functions: CycleFunctions): Fleet {
  const probe = intervalSeconds(inv, 'probe');
  const ssh = intervalSeconds(inv, 'ssh');
  const cycles = Object.entries(functions) as [CycleName, CycleFunction][];
  const role = (metric: string, seconds: number, label: string, color?: string) =>
    fleetTotal(inv, metric, 'Role', '', seconds, label, color);
  const period = Math.max(probe, ssh);
  const pathSearch = (cycle: CycleName) =>
    `FILL(SUM(SEARCH('{"${inv.monitor.namespace}",Cycle} MetricName="${FLEET_METRICS.pathsDown}" Cycle="${cycle}"', 'Sum', ${period})), 0) / ${period / intervalSeconds(inv, cycle)}`;
  return {
    inv,
    probe,
    ssh,
    period,
    cycles,
    logGroups: cycles.map(([, cf]) => cf.logGroup.logGroupName),
    // Both cycles judge the paths, each on its own interval: a path is down when either sees it down.
    pathsDown: new MathExpression({
      expression: `MAX([${pathSearch('probe')}, ${pathSearch('ssh')}])`,
      label: 'paths down',
      period: Duration.seconds(period),
      usingMetrics: {},
      color: Color.RED,
    }),
    listenersDown: role(FLEET_METRICS.listenersDown, probe, 'listeners down', Color.RED),
    anonymous: role(FLEET_METRICS.anonymousTls, probe, 'anonymous-cipher listeners', Color.PURPLE),
    expiring: role(FLEET_METRICS.certificatesExpiring, probe, 'certificates expiring', Color.ORANGE),
    sshFailures: role(FLEET_METRICS.sshReadFailures, ssh, 'SSH read failures', Color.ORANGE),
    notOnline: role(FLEET_METRICS.systemsNotOnline, ssh, 'systems not online', Color.RED),
    backlogs: role(FLEET_METRICS.queueBacklogs, ssh, 'queue backlogs', Color.ORANGE),
  };
}

/** The fleet rows, top to bottom. */
export function overviewRows(
  inv: Inventory,
  functions: CycleFunctions,
  alarms: readonly Alarm[],
): IWidget[][] {
  const f = fleetOf(inv, functions);
  return [
    [new TextWidget({ markdown: overviewMarkdown(inv), width: 24, height: 3 })],
    [
      new SingleValueWidget({
        title: 'Is quarantine flowing? (0 everywhere = yes)',
        metrics: [
          f.pathsDown,
          f.listenersDown,
          f.anonymous,
          f.expiring,
          f.sshFailures,
          f.notOnline,
          f.backlogs,
        ],
        width: 24,
        height: 4,
      }),
    ],
    [
      graph('Paths down (ESA↔SMA directions)', [f.pathsDown], 8, { min: 0 }),
      graph('Listeners down and anonymous-cipher listeners', [f.listenersDown, f.anonymous], 8, { min: 0 }),
      graph('SSH read failures and systems not online', [f.sshFailures, f.notOnline], 8, { min: 0 }),
    ],
    certificatesRow(f),
    queuesAndPagesRow(f),
    heartbeatRow(f),
    lambdaRow(f, alarms),
  ];
}

/** The soonest certificate in the fleet over time, and the appliances whose certificates expire first. */
function certificatesRow(f: Fleet): IWidget[] {
  const warnDays = f.inv.tls.expiryWarnDays ?? DEFAULTS.expiryWarnDays;
  return [
    new GraphWidget({
      title: 'Certificate days remaining, soonest in the fleet (negative = expired)',
      left: [
        rolesMetric(f.inv, FLEET_METRICS.certificateDaysMin, Stats.MINIMUM, 3600, 'soonest (days)'),
        f.expiring,
      ],
      leftAnnotations: [
        { value: warnDays, label: 'expiry warning', color: Color.ORANGE },
        { value: 0, label: 'expired', color: Color.RED },
      ],
      // No min: an expired certificate's days are negative and must show below 0, not clipped.
      leftYAxis: { showUnits: false },
      width: 12,
      height: 6,
    }),
    new LogQueryWidget({
      title: 'Certificates expiring, soonest first',
      logGroupNames: f.logGroups.slice(0, 1),
      queryLines: [
        `filter record = "${APPLIANCE_RECORD}" and cycle = "probe" and ispresent(certDays)`,
        'stats min(certDays) as days by appliance',
        'sort days asc',
        'limit 20',
      ],
      view: LogQueryVisualizationType.TABLE,
      width: 12,
      height: 6,
    }),
  ];
}

/** Queue backlogs against the thresholds, pages sent and failed, open findings by severity. */
function queuesAndPagesRow(f: Fleet): IWidget[] {
  const { inv } = f;
  const pages = (metric: string, label: string, color: string) =>
    fleetTotal(inv, metric, 'Cycle', '', f.period, label, color);
  return [
    new GraphWidget({
      title: 'Queue backlogs (appliances at or over the warning) and largest queue',
      left: [f.backlogs],
      right: [rolesMetric(inv, FLEET_METRICS.queueMax, Stats.MAXIMUM, f.ssh, 'largest queue (recipients)')],
      rightAnnotations: [
        { value: inv.queues.warning ?? DEFAULTS.queueWarning, label: 'warning', color: Color.ORANGE },
        { value: inv.queues.critical ?? DEFAULTS.queueCritical, label: 'critical', color: Color.RED },
      ],
      leftYAxis: { min: 0, showUnits: false },
      rightYAxis: { min: 0, showUnits: false },
      width: 8,
      height: 6,
    }),
    graph(
      'Pages sent and failed',
      [
        pages(FLEET_METRICS.pagesSent, 'sent', Color.GREEN),
        pages(FLEET_METRICS.pagesFailed, 'failed', Color.RED),
      ],
      8,
      { min: 0 },
    ),
    new GraphWidget({
      title: 'Open findings in the fleet by severity',
      left: [
        findingsTotal(inv, 'critical', Color.RED),
        findingsTotal(inv, 'warning', Color.ORANGE),
        findingsTotal(inv, 'info', Color.BLUE),
      ],
      stacked: true,
      leftYAxis: { min: 0, showUnits: false },
      width: 8,
      height: 6,
    }),
  ];
}

/** Each shard's runs and skipped work, the cycles' heartbeats, and the fleet's handshake latency. */
function heartbeatRow(f: Fleet): IWidget[] {
  const { inv } = f;
  const latencyPeriod = Math.max(300, f.probe);
  const latency = (stat: string, label: string) =>
    new MathExpression({
      expression: `MAX(SEARCH('{"${inv.monitor.namespace}",Role} MetricName="${FLEET_METRICS.handshakeLatency}"', '${stat}', ${latencyPeriod}))`,
      label,
      period: Duration.seconds(latencyPeriod),
      usingMetrics: {},
    });
  return [
    new LogQueryWidget({
      title: 'Heartbeat per shard (runs, slowest run, skipped work)',
      logGroupNames: f.logGroups,
      queryLines: [
        `filter msg = "${SHARD_SUMMARY_MSG}"`,
        'stats count(*) as runs, max(durationMs) as slowestMs, sum(ispresent(skipped) and skipped > 0) as runsWithSkips, latest(@timestamp) as last by cycle, shard.index',
        'sort cycle, shard.index',
      ],
      view: LogQueryVisualizationType.TABLE,
      width: 12,
      height: 6,
    }),
    graph(
      'Cycle heartbeats (runs per interval, all shards)',
      f.cycles.map(([cycle]) =>
        heartbeatMetric(inv.monitor.namespace, cycle, intervalSeconds(inv, cycle)).with({ label: cycle }),
      ),
      6,
      { min: 0 },
    ),
    graph(
      'Handshake latency, fleet (ms)',
      [latency('p50', 'p50'), latency('p90', 'p90'), latency('Maximum', 'max')],
      6,
      {
        min: 0,
      },
    ),
  ];
}

/** The cycles' Lambda duration, errors and throttles, and the watchdog alarms. */
function lambdaRow(f: Fleet, alarms: readonly Alarm[]): IWidget[] {
  return [
    graph(
      'Cycle duration (max, ms)',
      f.cycles.map(([cycle, cf]) =>
        cf.function.metricDuration({ statistic: Stats.MAXIMUM, period: Duration.minutes(5), label: cycle }),
      ),
      8,
      { min: 0 },
    ),
    graph(
      'Cycle errors and throttles',
      f.cycles.flatMap(([cycle, cf]) => [
        cf.function.metricErrors({ period: Duration.minutes(5), label: `${cycle} errors` }),
        cf.function.metricThrottles({ period: Duration.minutes(5), label: `${cycle} throttles` }),
      ]),
      8,
      { min: 0 },
    ),
    new AlarmStatusWidget({ title: 'Watchdog alarms', alarms: [...alarms], width: 8, height: 6 }),
  ];
}

/** A graph of `left` with the dashboard's usual height and a unitless axis. */
export function graph(title: string, left: IMetric[], width: number, axis: { min?: number }): GraphWidget {
  return new GraphWidget({ title, left, leftYAxis: { ...axis, showUnits: false }, width, height: 6 });
}

function overviewMarkdown(inv: Inventory): string {
  const probe = cycleShards(inv, 'probe').length;
  const ssh = cycleShards(inv, 'ssh').length;
  return [
    `# cpq-monitor: ${cycleAppliances(inv, 'probe').length} appliances`,
    `Probe cycle every ${inv.monitor.probeIntervalMinutes} min in ${probe} shard(s); SSH cycle every ${inv.monitor.sshIntervalMinutes} min in ${ssh} shard(s). Namespace \`${inv.monitor.namespace}\`. Fleet totals are summed over shards; the drill-down at the bottom shows one appliance.`,
  ].join('\n');
}
