/**
 * The dashboard's drill-down: one appliance's records, chosen with the dashboard's `Appliance`
 * variable (it replaces APPLIANCE_NAME in the queries below). The records are always written, so
 * this works for any appliance without per-appliance metrics.
 */
import { Duration } from 'aws-cdk-lib';
import {
  GraphWidget,
  type IWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Inventory } from '../../shared/inventory';
import type { CycleName } from '../deploy-plan';
import { APPLIANCE_PATTERN, APPLIANCE_RECORD } from './dashboard-names';
import { type CycleFunctions, intervalSeconds } from './dashboard-overview';

/** The query line that keeps one cycle's records of the chosen appliance. */
const mine = (cycle: CycleName) =>
  `filter record = "${APPLIANCE_RECORD}" and cycle = "${cycle}" and appliance = "${APPLIANCE_PATTERN}"`;

/** The drill-down rows: a header, the probe's records, the SSH reads', the per-appliance metrics. */
export function drillDownRows(inv: Inventory, functions: CycleFunctions): IWidget[][] {
  const probeLog = functions.probe?.logGroup.logGroupName;
  const sshLog = functions.ssh?.logGroup.logGroupName;
  return [
    [
      new TextWidget({
        markdown: `## Drill-down: ${APPLIANCE_PATTERN}\nType an appliance name in the **Appliance (drill-down)** box at the top. The widgets below read that appliance's records in the cycles' log groups (one per appliance per cycle), so any appliance can be shown. docs/deploy.md, "Dashboard", has the queries for Logs Insights.`,
        width: 24,
        height: 2,
      }),
    ],
    ...(probeLog !== undefined ? [probeRow(probeLog)] : []),
    ...(sshLog !== undefined ? [sshRow(sshLog)] : []),
    [
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
    ],
  ];
}

/** The appliance's probes: handshake phases, certificate days, the latest probes. */
function probeRow(probeLog: string): IWidget[] {
  return [
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
      queryLines: [mine('probe'), 'filter ispresent(certDays)', 'stats min(certDays) as certDays by bin(1h)'],
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
}

/** The appliance's SSH reads: queue sizes and the latest reads. */
function sshRow(sshLog: string): IWidget[] {
  return [
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
  ];
}
