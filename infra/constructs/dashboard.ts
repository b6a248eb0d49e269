/**
 * CloudWatch dashboards built from the inventory: a fleet overview (listeners up, the ESA↔SMA
 * paths, open findings by severity, the cycles' own health), then one row per appliance (listener
 * and system status, handshake latency, certificate days remaining, queue size).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Color,
  Dashboard,
  GraphWidget,
  type IWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type Appliance, type Inventory, queuesFor, tlsFor } from '../../shared/inventory';
import { type CycleName, cycleAppliances, cycleIntervalMinutes, cycleShards } from '../deploy-plan';
import type { CycleFunction } from './cycle-function';
import { heartbeatMetric } from './watchdog';

/** The metric names the metrics code emits (shared/metrics, docs/metrics.md). */
export const METRIC_NAMES = {
  listenerUp: 'ListenerUp',
  handshakeLatency: 'HandshakeLatency',
  tlsCertificatePresent: 'TlsCertificatePresent',
  certificateDaysRemaining: 'CertificateDaysRemaining',
  systemOnline: 'SystemOnline',
  cpqQueue: 'CpqQueueActiveRecipients',
  releaseQueue: 'ReleaseQueueActiveRecipients',
  sshReadSuccess: 'SshReadSuccess',
  findingsOpen: 'FindingsOpen',
  heartbeat: 'MonitorHeartbeat',
} as const;

/** Appliances per dashboard: 4 widgets each keeps a dashboard under CloudWatch's 500-widget limit. */
export const APPLIANCES_PER_DASHBOARD = 100;
const SEVERITIES = ['critical', 'warning', 'info'] as const;
/** Values of the `Phase` dimension of `HandshakeLatency` at `metricsDetail: detailed`. */
export const HANDSHAKE_PHASES = ['connect', 'banner', 'ehlo', 'starttls', 'tls'] as const;

/** Inputs of the dashboards. */
export interface DashboardsProps {
  readonly inventory: Inventory;
  readonly functions: Partial<Record<CycleName, CycleFunction>>;
  readonly alarms: readonly Alarm[];
}

/** The overview dashboard (with the first appliances) and further ones for large fleets. */
export class Dashboards extends Construct {
  readonly dashboards: Dashboard[] = [];

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    const inv = props.inventory;
    const ns = inv.monitor.namespace;
    const probePeriod = Duration.minutes(inv.monitor.probeIntervalMinutes);
    const sshPeriod = Duration.minutes(inv.monitor.sshIntervalMinutes);
    const appliances = cycleAppliances(inv, 'probe');
    const perAppliance = (metricName: string, a: Appliance, statistic: string, period: Duration) =>
      new Metric({
        namespace: ns,
        metricName,
        dimensionsMap: { Appliance: a.name },
        statistic,
        period,
        label: a.name,
      });

    const chunks: Appliance[][] = [];
    for (let i = 0; i < appliances.length; i += APPLIANCES_PER_DASHBOARD) {
      chunks.push(appliances.slice(i, i + APPLIANCES_PER_DASHBOARD));
    }
    const stackName = Stack.of(this).stackName;
    chunks.forEach((chunk, i) => {
      const dashboard = new Dashboard(this, i === 0 ? 'Overview' : `Appliances${i + 1}`, {
        dashboardName: i === 0 ? stackName : `${stackName}-appliances-${i + 1}`,
        defaultInterval: Duration.hours(3),
      });
      if (i === 0) dashboard.addWidgets(...this.fleetWidgets(props, chunks.length));
      for (const a of chunk)
        dashboard.addWidgets(...applianceRow(inv, a, perAppliance, probePeriod, sshPeriod));
      this.dashboards.push(dashboard);
    });
  }

  private fleetWidgets(props: DashboardsProps, dashboardCount: number): IWidget[] {
    const inv = props.inventory;
    const ns = inv.monitor.namespace;
    const probeSeconds = inv.monitor.probeIntervalMinutes * 60;
    const total = cycleAppliances(inv, 'probe').length;
    // SEARCH sums every appliance's ListenerUp without listing thousands of metrics in one widget.
    const listenersUp = new MathExpression({
      expression: `SUM(SEARCH('{"${ns}",Appliance} MetricName="${METRIC_NAMES.listenerUp}"', 'Minimum', ${probeSeconds}))`,
      label: `listeners up (of ${total})`,
      period: Duration.seconds(probeSeconds),
      usingMetrics: {},
    });
    const findings = SEVERITIES.map(
      (severity) =>
        new Metric({
          namespace: ns,
          metricName: METRIC_NAMES.findingsOpen,
          dimensionsMap: { Severity: severity },
          statistic: Stats.MAXIMUM,
          period: Duration.minutes(inv.monitor.probeIntervalMinutes),
          label: severity,
          color: severity === 'critical' ? Color.RED : severity === 'warning' ? Color.ORANGE : Color.BLUE,
        }),
    );
    const cycles = Object.entries(props.functions) as [CycleName, CycleFunction][];
    const widgets: IWidget[] = [
      new TextWidget({
        markdown: overviewMarkdown(inv, dashboardCount),
        width: 24,
        height: overviewHeight(inv),
      }),
      new SingleValueWidget({ title: 'Listeners up', metrics: [listenersUp], width: 6, height: 5 }),
      new SingleValueWidget({ title: 'Open findings', metrics: findings, width: 6, height: 5 }),
      new GraphWidget({
        title: 'Open findings by severity',
        left: findings,
        stacked: true,
        width: 12,
        height: 5,
      }),
      new GraphWidget({
        title: 'Cycle heartbeats (runs per interval)',
        left: cycles.map(([cycle]) =>
          heartbeatMetric(ns, cycle, cycleIntervalMinutes(inv, cycle) * 60).with({ label: cycle }),
        ),
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: 'Cycle duration (max, ms)',
        left: cycles.map(([cycle, cf]) =>
          cf.function.metricDuration({ statistic: Stats.MAXIMUM, period: Duration.minutes(5), label: cycle }),
        ),
        width: 8,
        height: 6,
      }),
      new GraphWidget({
        title: 'Cycle errors and throttles',
        left: cycles.flatMap(([cycle, cf]) => [
          cf.function.metricErrors({ period: Duration.minutes(5), label: `${cycle} errors` }),
          cf.function.metricThrottles({ period: Duration.minutes(5), label: `${cycle} throttles` }),
        ]),
        width: 8,
        height: 6,
      }),
      new AlarmStatusWidget({ title: 'Watchdog alarms', alarms: [...props.alarms], width: 24, height: 3 }),
    ];
    return widgets;
  }
}

/** One appliance: status lines, handshake latency, certificate days, queue (the last two with the inventory's limits). */
function applianceRow(
  inv: Inventory,
  a: Appliance,
  metric: (name: string, a: Appliance, statistic: string, period: Duration) => Metric,
  probePeriod: Duration,
  sshPeriod: Duration,
): IWidget[] {
  const withSsh = a.ssh !== undefined;
  const status = [
    metric(METRIC_NAMES.listenerUp, a, Stats.MINIMUM, probePeriod).with({ label: 'listener up' }),
    metric(METRIC_NAMES.tlsCertificatePresent, a, Stats.MINIMUM, probePeriod).with({
      label: 'certificate presented',
    }),
    ...(withSsh
      ? [
          metric(METRIC_NAMES.systemOnline, a, Stats.MINIMUM, sshPeriod).with({ label: 'system online' }),
          metric(METRIC_NAMES.sshReadSuccess, a, Stats.MINIMUM, sshPeriod).with({ label: 'SSH read ok' }),
        ]
      : []),
  ];
  const tls = tlsFor(inv, a);
  // Percentiles need several samples: at least 5 minutes (docs/metrics.md, "Statistics to use").
  const latencyPeriod = Duration.minutes(Math.max(5, inv.monitor.probeIntervalMinutes));
  const widgets: IWidget[] = [
    new GraphWidget({
      title: `${a.name} (${a.role.toUpperCase()} ${a.host}:${a.cpqPort}) status`,
      left: status,
      leftYAxis: { min: 0, max: 1, showUnits: false },
      width: 6,
      height: 5,
    }),
    new GraphWidget({
      title: `${a.name} handshake latency (ms)`,
      left: [
        metric(METRIC_NAMES.handshakeLatency, a, Stats.p(50), latencyPeriod).with({ label: 'p50' }),
        metric(METRIC_NAMES.handshakeLatency, a, Stats.p(90), latencyPeriod).with({ label: 'p90' }),
        metric(METRIC_NAMES.handshakeLatency, a, Stats.MAXIMUM, latencyPeriod).with({ label: 'max' }),
        // Per phase only at `detailed` (the metrics code emits the Phase dimension then, at a price).
        ...(inv.monitor.metricsDetail === 'detailed'
          ? HANDSHAKE_PHASES.map(
              (phase) =>
                new Metric({
                  namespace: inv.monitor.namespace,
                  metricName: METRIC_NAMES.handshakeLatency,
                  dimensionsMap: { Appliance: a.name, Phase: phase },
                  statistic: Stats.p(50),
                  period: latencyPeriod,
                  label: `${phase} p50`,
                }),
            )
          : []),
      ],
      leftYAxis: { min: 0, showUnits: false },
      width: 6,
      height: 5,
    }),
    new GraphWidget({
      title: `${a.name} certificate days remaining`,
      left: [
        metric(METRIC_NAMES.certificateDaysRemaining, a, Stats.MINIMUM, Duration.hours(1)).with({
          label: 'days',
        }),
      ],
      leftAnnotations: [{ value: tls.expiryWarnDays, label: 'expiry warning', color: Color.ORANGE }],
      leftYAxis: { min: 0, showUnits: false },
      width: 6,
      height: 5,
    }),
  ];
  if (withSsh) {
    const q = queuesFor(inv, a);
    const esa = a.role === 'esa';
    widgets.push(
      new GraphWidget({
        title: `${a.name} ${esa ? q.cpqQueueName : q.releaseQueueName} active recipients`,
        left: [
          metric(esa ? METRIC_NAMES.cpqQueue : METRIC_NAMES.releaseQueue, a, Stats.MAXIMUM, sshPeriod).with({
            label: 'active recipients',
          }),
        ],
        leftAnnotations: [
          { value: q.warning, label: 'warning', color: Color.ORANGE },
          { value: q.critical, label: 'critical', color: Color.RED },
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 6,
        height: 5,
      }),
    );
  }
  return widgets;
}

/** The paths the fleet carries (ESA → SMA for quarantine, SMA → ESA for release), from the inventory. */
export function inventoryPaths(
  inv: Inventory,
): { esa: string; sma: string; port: number; esaPort: number }[] {
  const byName = new Map(inv.appliances.map((a) => [a.name, a]));
  return inv.appliances
    .filter((a) => a.enabled && a.role === 'esa' && a.quarantine !== undefined)
    .map((a) => ({
      esa: a.name,
      sma: a.quarantine!.sma,
      port: a.quarantine!.port,
      esaPort: a.cpqPort,
    }))
    .filter((p) => byName.get(p.sma)?.enabled !== false);
}

function overviewMarkdown(inv: Inventory, dashboardCount: number): string {
  const lines = [
    `# cpq-monitor: ${cycleAppliances(inv, 'probe').length} appliances`,
    `Probe cycle every ${inv.monitor.probeIntervalMinutes} min in ${cycleShards(inv, 'probe').length} shard(s); SSH cycle every ${inv.monitor.sshIntervalMinutes} min in ${cycleShards(inv, 'ssh').length} shard(s). Namespace \`${inv.monitor.namespace}\`.${dashboardCount > 1 ? ` Appliances continue on ${dashboardCount - 1} more dashboard(s).` : ''}`,
  ];
  const paths = inventoryPaths(inv);
  if (paths.length > 0) {
    lines.push(
      '',
      '| ESA | quarantine → SMA (port) | release → ESA (port) |',
      '|---|---|---|',
      ...paths.map((p) => `| ${p.esa} | ${p.sma} (${p.port}) | ${p.esa} (${p.esaPort}) |`),
    );
  }
  return lines.join('\n');
}

function overviewHeight(inv: Inventory): number {
  // Text widgets do not scroll well: grow with the path table, capped.
  return Math.min(20, 3 + Math.ceil(inventoryPaths(inv).length / 1.5));
}
