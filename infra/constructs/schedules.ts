/**
 * EventBridge Scheduler schedules: one per shard of each cycle, at the inventory's rate, invoking
 * the cycle's function with `{ cycle, shard: { index, count }, appliances }`. Schedules are the one
 * part of the stack that grows with the fleet, so they live in nested stacks of at most
 * `SCHEDULES_PER_NESTED_STACK`: the main template stays the same size for 10 or 10,000 appliances.
 */
import { Aws, NestedStack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Inventory } from '../../shared/inventory';
import { type CycleName, cycleIntervalMinutes, cycleShards, type ShardInput } from '../deploy-plan';
import { enforceLimits } from '../limits';

/** The functions to schedule, by cycle (a cycle without appliances has none). */
export interface SchedulesProps {
  readonly inventory: Inventory;
  readonly functions: Partial<Record<CycleName, IFunction>>;
  /** Where Scheduler puts an invocation it could not deliver. */
  readonly failureQueue: IQueue;
}

/**
 * Schedules per nested stack: 200 schedules of 50 appliances are about 250 KB and 200 resources,
 * well inside CloudFormation's 1 MB and 500 resources per template (checked at synth).
 */
export const SCHEDULES_PER_NESTED_STACK = 200;

/** `rate(1 minute)` / `rate(5 minutes)`: Scheduler's rate syntax wants the singular for 1. */
export function rateExpression(minutes: number): string {
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

/** The schedules, one per shard, and the role Scheduler assumes to invoke the functions. */
export class Schedules extends Construct {
  readonly schedules: { input: ShardInput; schedule: CfnSchedule }[] = [];
  /** The nested stacks holding the schedules, in order. */
  readonly stacks: NestedStack[] = [];
  readonly role: Role;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const role = new Role(this, 'InvokeRole', {
      description: 'cpq-monitor: EventBridge Scheduler invokes the cycle functions',
      // Only schedules of this account may use the role (confused-deputy guard).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.role = role;
    // Exactly the function ARNs: grantInvoke would add `:*` (every version and alias), which no schedule uses.
    const functionArns = Object.values(props.functions).map((f) => f.functionArn);
    role.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functionArns }));
    props.failureQueue.grantSendMessages(role);

    const all: { cycle: CycleName; fn: IFunction; interval: number; input: ShardInput }[] = [];
    for (const [cycle, fn] of Object.entries(props.functions) as [CycleName, IFunction][]) {
      const interval = cycleIntervalMinutes(props.inventory, cycle);
      for (const input of cycleShards(props.inventory, cycle)) all.push({ cycle, fn, interval, input });
    }
    for (let start = 0; start < all.length; start += SCHEDULES_PER_NESTED_STACK) {
      const nested = new NestedStack(this, `Shards${this.stacks.length + 1}`, {
        description: `cpq-monitor schedules ${start + 1}-${Math.min(all.length, start + SCHEDULES_PER_NESTED_STACK)} of ${all.length}`,
      });
      enforceLimits(nested, { indented: true });
      this.stacks.push(nested);
      for (const { cycle, fn, interval, input } of all.slice(start, start + SCHEDULES_PER_NESTED_STACK)) {
        const schedule = new CfnSchedule(nested, `${cycle}-shard-${input.shard.index}`, {
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
        this.schedules.push({ input, schedule });
      }
      // The role and its policy exist before any schedule names it.
      nested.node.addDependency(role);
    }
  }
}
