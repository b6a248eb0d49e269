/**
 * One CloudWatch dashboard whose size does not depend on the fleet: the fleet at a glance from the
 * fleet metrics (summed over shards with SEARCH expressions), the shards' heartbeats and the
 * soonest certificates from Logs Insights over the cycles' records, and a drill-down for any one
 * appliance (a dashboard variable substituted into Logs Insights queries over the per-appliance
 * records). Nothing here is repeated per appliance or per shard (docs/deploy.md, "Dashboard").
 * The rows are built in ./dashboard-overview.ts and ./dashboard-drilldown.ts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  Dashboard,
  DashboardVariable,
  DefaultValue,
  VariableInputType,
  VariableType,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { Inventory } from '../../shared/inventory';
import { cycleAppliances } from '../deploy-plan';
import { drillDownRows } from './dashboard-drilldown';
import { APPLIANCE_PATTERN } from './dashboard-names';
import { type CycleFunctions, overviewRows } from './dashboard-overview';

/** Inputs of the dashboard. */
export interface DashboardsProps {
  readonly inventory: Inventory;
  readonly functions: CycleFunctions;
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
    const rows = [
      ...overviewRows(inv, props.functions, props.alarms),
      ...drillDownRows(inv, props.functions),
    ];
    for (const row of rows) dashboard.addWidgets(...row);
    this.dashboards.push(dashboard);
  }
}
