/**
 * EventBridge Scheduler schedules: one per shard of each cycle, at the inventory's rate, invoking
 * the cycle's function with `{ cycle, shard: { index, count }, appliances }`.
 */
import { Aws } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Inventory } from '../../shared/inventory';
import { type CycleName, cycleIntervalMinutes, cycleShards, type ShardInput } from '../deploy-plan';

/** The functions to schedule, by cycle (a cycle without appliances has none). */
export interface SchedulesProps {
  readonly inventory: Inventory;
  readonly functions: Partial<Record<CycleName, IFunction>>;
  /** Where Scheduler puts an invocation it could not deliver. */
  readonly failureQueue: IQueue;
}

/** `rate(1 minute)` / `rate(5 minutes)`: Scheduler's rate syntax wants the singular for 1. */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

/** The schedules, one per shard, and the role Scheduler assumes to invoke the functions. */
export class Schedules extends Construct {
  readonly schedules: { input: ShardInput; schedule: CfnSchedule }[] = [];

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const role = new Role(this, 'InvokeRole', {
      description: 'cpq-monitor: EventBridge Scheduler invokes the cycle functions',
      // Only schedules of this account may use the role (confused-deputy guard).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    // Exactly the function ARNs: grantInvoke would add `:*` (every version and alias), which no schedule uses.
    const functionArns = Object.values(props.functions).map((f) => f.functionArn);
    role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functionArns }));
    props.failureQueue.grantSendMessages(role);

    for (const [cycle, fn] of Object.entries(props.functions) as [CycleName, IFunction][]) {
      const interval = cycleIntervalMinutes(props.inventory, cycle);
      for (const input of cycleShards(props.inventory, cycle)) {
        const schedule = new CfnSchedule(this, `${cycle}-shard-${input.shard.index}`, {
          description: `cpq-monitor ${cycle} cycle, shard ${input.shard.index + 1} of ${input.shard.count} (${input.appliances.length} appliances)`,
          scheduleExpression: rateExpression(interval),
          flexibleTimeWindow: { mode: 'OFF' },
          state: 'ENABLED',
          target: {
            arn: fn.functionArn,
            roleArn: role.roleArn,
            input: JSON.stringify(input),
            // A late cycle is worthless once the next is due: no retries, straight to the failure queue.
            retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
            deadLetterConfig: { arn: props.failureQueue.queueArn },
          },
        });
        schedule.node.addDependency(role);
        this.schedules.push({ input, schedule });
      }
    }
  }
}
