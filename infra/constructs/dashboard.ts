/**
 * One CloudWatch dashboard whose size does not depend on the fleet: the fleet at a glance from the
 * fleet metrics (summed over shards with SEARCH expressions), the shards' heartbeats and the
 * soonest certificates from Logs Insights over the cycles' records, and a drill-down for any one
 * appliance (a dashboard variable substituted into Logs Insights queries over the per-appliance
 * records). Nothing here is repeated per appliance or per shard (docs/deploy.md, "Dashboard").
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Color,
  Dashboard,
  DashboardVariable,
  DefaultValue,
  GraphWidget,
  type IMetric,
  type IWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  SingleValueWidget,
  Stats,
  TextWidget,
  VariableInputType,
  VariableType,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DEFAULTS, type Inventory } from '../../shared/inventory';
import { type CycleName, cycleAppliances, cycleIntervalMinutes, cycleShards } from '../deploy-plan';
import type { CycleFunction } from './cycle-function';
import { heartbeatMetric } from './watchdog';

/** Fleet metric names the cycles emit (docs/metrics.md): dimensions `Role`, `Cycle`, `Severity` only. */
export const FLEET_METRICS = {
  listenersDown: 'ListenersDown',
  anonymousTls: 'ListenersAnonymousTls',
  certificatesExpiring: 'CertificatesExpiring',
  certificateDaysMin: 'CertificateDaysRemainingMin',
  handshakeLatency: 'HandshakeLatency',
  sshReadFailures: 'SshReadFailures',
  systemsNotOnline: 'SystemsNotOnline',
  queueBacklogs: 'QueueBacklogs',
  queueMax: 'QueueActiveRecipientsMax',
  pathsDown: 'PathsDown',
  findingsOpen: 'FindingsOpen',
  pagesSent: 'PagesSent',
  pagesFailed: 'PagesFailed',
} as const;

/** The text the drill-down variable replaces in the dashboard: an appliance name. */
export const APPLIANCE_PATTERN = 'APPLIANCE_NAME';
/** The `record` field of the per-appliance log records, and the `msg` of a shard's summary line. */
export const APPLIANCE_RECORD = 'appliance';
export const SHARD_SUMMARY_MSG = 'cycle done';

/** Inputs of the dashboard. */
export interface DashboardsProps {
  readonly inventory: Inventory;
  readonly functions: Partial<Record<CycleName, CycleFunction>>;
  readonly alarms: readonly Alarm[];
}

/** The fleet dashboard (`dashboards[0]`, named after the stack). */
export class Dashboards extends Construct {
  readonly dashboards: Dashboard[] = [];

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    const inv = props.inventory;
    const first = cycleAppliances(inv, 'probe')[0]?.name ?? APPLIANCE_PATTERN;
    const dashboard = new Dashboard(this, 'Overview', {
      dashboardName: Stack.of(this).stackName,
      defaultInterval: Duration.hours(3),
      variables: [
        new DashboardVariable({
          id: 'appliance',
          label: 'Appliance (drill-down)',
          type: VariableType.PATTERN,
          inputType: VariableInputType.INPUT,
          value: APPLIANCE_PATTERN,
          // One name: the template does not grow with the fleet; type any other appliance's name.
          defaultValue: DefaultValue.value(first),
        }),
      ],
    });
    for (const row of [...overviewRows(props), ...drillDownRows(props)]) dashboard.addWidgets(...row);
    this.dashboards.push(dashboard);
  }
}

/** Seconds of a cycle's interval: one write per shard per interval, so Sum over it is the fleet total. */
function intervalSeconds(inv: Inventory, cycle: CycleName): number {
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

function overviewRows(props: DashboardsProps): IWidget[][] {
  const inv = props.inventory;
  const probe = intervalSeconds(inv, 'probe');
  const ssh = intervalSeconds(inv, 'ssh');
  const cycles = Object.entries(props.functions) as [CycleName, CycleFunction][];
  const logGroups = cycles.map(([, cf]) => cf.logGroup.logGroupName);
  const role = (metric: string, seconds: number, label: string, color?: string) =>
    fleetTotal(inv, metric, 'Role', '', seconds, label, color);
  const period = Math.max(probe, ssh);
  const pathSearch = (cycle: CycleName) =>
    `FILL(SUM(SEARCH('{"${inv.monitor.namespace}",Cycle} MetricName="${FLEET_METRICS.pathsDown}" Cycle="${cycle}"', 'Sum', ${period})), 0) / ${period / intervalSeconds(inv, cycle)}`;
  // Both cycles judge the paths, each on its own interval: a path is down when either sees it down.
  const pathsDown = new MathExpression({
    expression: `MAX([${pathSearch('probe')}, ${pathSearch('ssh')}])`,
    label: 'paths down',
    period: Duration.seconds(period),
    usingMetrics: {},
    color: Color.RED,
  });
  const listenersDown = role(FLEET_METRICS.listenersDown, probe, 'listeners down', Color.RED);
  const anonymous = role(FLEET_METRICS.anonymousTls, probe, 'anonymous-cipher listeners', Color.PURPLE);
  const expiring = role(FLEET_METRICS.certificatesExpiring, probe, 'certificates expiring', Color.ORANGE);
  const sshFailures = role(FLEET_METRICS.sshReadFailures, ssh, 'SSH read failures', Color.ORANGE);
  const notOnline = role(FLEET_METRICS.systemsNotOnline, ssh, 'systems not online', Color.RED);
  const backlogs = role(FLEET_METRICS.queueBacklogs, ssh, 'queue backlogs', Color.ORANGE);
  const pages = (metric: string, label: string, color: string) =>
    fleetTotal(inv, metric, 'Cycle', '', period, label, color);
  const findings = [
    findingsTotal(inv, 'critical', Color.RED),
    findingsTotal(inv, 'warning', Color.ORANGE),
    findingsTotal(inv, 'info', Color.BLUE),
  ];
  const warnDays = inv.tls.expiryWarnDays ?? DEFAULTS.expiryWarnDays;
  const queueWarning = inv.queues.warning ?? DEFAULTS.queueWarning;
  const queueCritical = inv.queues.critical ?? DEFAULTS.queueCritical;
  const latencyPeriod = Math.max(300, probe);
  const latency = (stat: string, label: string) =>
    new MathExpression({
      expression: `MAX(SEARCH('{"${inv.monitor.namespace}",Role} MetricName="${FLEET_METRICS.handshakeLatency}"', '${stat}', ${latencyPeriod}))`,
      label,
      period: Duration.seconds(latencyPeriod),
      usingMetrics: {},
    });

  return [
    [new TextWidget({ markdown: overviewMarkdown(inv), width: 24, height: 3 })],
    [
      new SingleValueWidget({
        title: 'Is quarantine flowing? (0 everywhere = yes)',
        metrics: [pathsDown, listenersDown, anonymous, expiring, sshFailures, notOnline, backlogs],
        width: 24,
        height: 4,
      }),
    ],
    [
      graph('Paths down (ESA↔SMA directions)', [pathsDown], 8, { min: 0 }),
      graph('Listeners down and anonymous-cipher listeners', [listenersDown, anonymous], 8, { min: 0 }),
      graph('SSH read failures and systems not online', [sshFailures, notOnline], 8, { min: 0 }),
    ],
    [
      new GraphWidget({
        title: 'Certificate days remaining, soonest in the fleet (negative = expired)',
        left: [
          rolesMetric(inv, FLEET_METRICS.certificateDaysMin, Stats.MINIMUM, 3600, 'soonest (days)'),
          expiring,
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
        logGroupNames: logGroups.slice(0, 1),
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
    ],
    [
      new GraphWidget({
        title: 'Queue backlogs (appliances at or over the warning) and largest queue',
        left: [backlogs],
        right: [rolesMetric(inv, FLEET_METRICS.queueMax, Stats.MAXIMUM, ssh, 'largest queue (recipients)')],
        rightAnnotations: [
          { value: queueWarning, label: 'warning', color: Color.ORANGE },
          { value: queueCritical, label: 'critical', color: Color.RED },
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
        left: findings,
        stacked: true,
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: 6,
      }),
    ],
    [
      new LogQueryWidget({
        title: 'Heartbeat per shard (runs, slowest run, skipped work)',
        logGroupNames: logGroups,
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
        cycles.map(([cycle]) =>
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
    ],
    [
      graph(
        'Cycle duration (max, ms)',
        cycles.map(([cycle, cf]) =>
          cf.function.metricDuration({ statistic: Stats.MAXIMUM, period: Duration.minutes(5), label: cycle }),
        ),
        8,
        { min: 0 },
      ),
      graph(
        'Cycle errors and throttles',
        cycles.flatMap(([cycle, cf]) => [
          cf.function.metricErrors({ period: Duration.minutes(5), label: `${cycle} errors` }),
          cf.function.metricThrottles({ period: Duration.minutes(5), label: `${cycle} throttles` }),
        ]),
        8,
        { min: 0 },
      ),
      new AlarmStatusWidget({ title: 'Watchdog alarms', alarms: [...props.alarms], width: 8, height: 6 }),
    ],
  ];
}

function graph(title: string, left: IMetric[], width: number, axis: { min?: number }): GraphWidget {
  return new GraphWidget({ title, left, leftYAxis: { ...axis, showUnits: false }, width, height: 6 });
}

/**
 * The drill-down: one appliance's records, chosen with the dashboard's `Appliance` variable (it
 * replaces APPLIANCE_NAME in the queries below). The records are always written, so this works
 * for any appliance without per-appliance metrics.
 */
function drillDownRows(props: DashboardsProps): IWidget[][] {
  const inv = props.inventory;
  const probeLog = props.functions.probe?.logGroup.logGroupName;
  const sshLog = props.functions.ssh?.logGroup.logGroupName;
  const mine = (cycle: CycleName) =>
    `filter record = "${APPLIANCE_RECORD}" and cycle = "${cycle}" and appliance = "${APPLIANCE_PATTERN}"`;
  const rows: IWidget[][] = [
    [
      new TextWidget({
        markdown: `## Drill-down: ${APPLIANCE_PATTERN}\nType an appliance name in the **Appliance (drill-down)** box at the top. The widgets below read that appliance's records in the cycles' log groups (one per appliance per cycle), so any appliance can be shown. docs/deploy.md, "Dashboard", has the queries for Logs Insights.`,
        width: 24,
        height: 2,
      }),
    ],
  ];
  if (probeLog !== undefined) {
    const probeRow: IWidget[] = [
      new LogQueryWidget({
        title: `${APPLIANCE_PATTERN}: handshake phases (ms)`,
        logGroupNames: [probeLog],
        queryLines: [
          mine('probe'),
          'stats avg(ms.connect) as connect, avg(ms.banner) as banner, avg(ms.ehlo) as ehlo, avg(ms.starttls) as starttls, avg(ms.tls) as tls by bin(5m)',
        ],
        view: LogQueryVisualizationType.STACKEDAREA,
        width: 8,
        height: 6,
      }),
      new LogQueryWidget({
        title: `${APPLIANCE_PATTERN}: certificate days remaining (negative = expired)`,
        logGroupNames: [probeLog],
        queryLines: [
          mine('probe'),
          'filter ispresent(certDays)',
          'stats min(certDays) as certDays by bin(1h)',
        ],
        view: LogQueryVisualizationType.LINE,
        width: 8,
        height: 6,
      }),
      new LogQueryWidget({
        title: `${APPLIANCE_PATTERN}: probes, latest first`,
        logGroupNames: [probeLog],
        queryLines: [
          mine('probe'),
          'fields @timestamp, from, status, code, phase, ms.total, tls, anonymous, certDays, findings.0',
          'sort @timestamp desc',
          'limit 50',
        ],
        view: LogQueryVisualizationType.TABLE,
        width: 8,
        height: 6,
      }),
    ];
    rows.push(probeRow);
  }
  if (sshLog !== undefined) {
    rows.push([
      new LogQueryWidget({
        title: `${APPLIANCE_PATTERN}: queue active recipients`,
        logGroupNames: [sshLog],
        queryLines: [
          mine('ssh'),
          'stats max(cpqQueue) as cpqQueue, max(releaseQueue) as releaseQueue by bin(5m)',
        ],
        view: LogQueryVisualizationType.LINE,
        width: 12,
        height: 6,
      }),
      new LogQueryWidget({
        title: `${APPLIANCE_PATTERN}: SSH reads, latest first`,
        logGroupNames: [sshLog],
        queryLines: [
          mine('ssh'),
          'fields @timestamp, sshCode, sshMs, online, cpqQueue, releaseQueue, findings.0',
          'sort @timestamp desc',
          'limit 50',
        ],
        view: LogQueryVisualizationType.TABLE,
        width: 12,
        height: 6,
      }),
    ]);
  }
  rows.push([
    new GraphWidget({
      title: `${APPLIANCE_PATTERN}: per-appliance metrics (only with applianceMetrics on)`,
      left: [
        new MathExpression({
          expression: `SEARCH('{"${inv.monitor.namespace}",Appliance} Appliance="${APPLIANCE_PATTERN}"', 'Minimum', ${intervalSeconds(inv, 'probe')})`,
          label: '',
          period: Duration.seconds(intervalSeconds(inv, 'probe')),
          usingMetrics: {},
        }),
      ],
      leftYAxis: { showUnits: false },
      width: 24,
      height: 5,
    }),
  ]);
  return rows;
}

function overviewMarkdown(inv: Inventory): string {
  const probe = cycleShards(inv, 'probe').length;
  const ssh = cycleShards(inv, 'ssh').length;
  return [
    `# cpq-monitor: ${cycleAppliances(inv, 'probe').length} appliances`,
    `Probe cycle every ${inv.monitor.probeIntervalMinutes} min in ${probe} shard(s); SSH cycle every ${inv.monitor.sshIntervalMinutes} min in ${ssh} shard(s). Namespace \`${inv.monitor.namespace}\`. Fleet totals are summed over shards; the drill-down at the bottom shows one appliance.`,
  ].join('\n');
}
