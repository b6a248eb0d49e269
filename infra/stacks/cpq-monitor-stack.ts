/**
 * cpq-monitor in one stack: network, alerting, the cycle functions and their schedules, the
 * watchdog alarms and the dashboard, all derived from one validated inventory. The schedules sit
 * in nested stacks (the only part that grows with the fleet); every template is checked against
 * CloudFormation's, IAM's, Scheduler's and Lambda's limits at synth (infra/limits.ts).
 */
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type Inventory, InventoryError } from '../../shared/inventory';
import { STACK_OUTPUTS } from '../../shared/verify/stack';
import { Alerting } from '../constructs/alerting';
import { CycleFunction, secretPrefixArns } from '../constructs/cycle-function';
import { Dashboards } from '../constructs/dashboard';
import { FailureQueue } from '../constructs/failure-queue';
import { Integrations } from '../constructs/integrations';
import { Network } from '../constructs/network';
import { Operators } from '../constructs/operators';
import { Schedules } from '../constructs/schedules';
import { Watchdog } from '../constructs/watchdog';
import {
  activeCycles,
  type CycleName,
  cycleIntervalMinutes,
  cycleShards,
  deployProblems,
  sshSecretIds,
} from '../deploy-plan';
import { enforceLimits } from '../limits';

/** The inventory and where it came from (named in errors). */
export interface CpqMonitorStackProps extends StackProps {
  /** Validated inventory, context overrides already merged. */
  readonly inventory: Inventory;
  /** File (or description) the inventory came from; default `inventory`. */
  readonly inventorySource?: string;
}

/** The deployable monitor. Throws InventoryError when the inventory lacks what a deployment needs. */
export class CpqMonitorStack extends Stack {
  readonly network: Network;
  readonly alerting: Alerting;
  readonly failureQueue: FailureQueue;
  readonly functions: Partial<Record<CycleName, CycleFunction>> = {};
  readonly schedules: Schedules;
  readonly watchdog: Watchdog;
  readonly dashboards: Dashboards;
  readonly integrations: Integrations;
  readonly operators: Operators;

  constructor(scope: Construct, id: string, props: CpqMonitorStackProps) {
    super(scope, id, {
      description:
        'cpq-monitor: probes and reads the Cisco ESA/SMA centralized quarantine path, pages on failure',
      ...props,
    });
    const inv = props.inventory;
    const problems = deployProblems(inv);
    if (problems.length > 0) throw new InventoryError(props.inventorySource ?? 'inventory', problems);
    // Template size, resources, outputs, IAM policy sizes, schedule inputs, Lambda environments.
    enforceLimits(this, { indented: true });

    this.network = new Network(this, 'Network', { inventory: inv });
    this.alerting = new Alerting(this, 'Alerting', { inventory: inv, alarmNamePrefix: `${this.stackName}-` });
    this.failureQueue = new FailureQueue(this, 'FailedInvocations');
    for (const cycle of activeCycles(inv)) {
      this.functions[cycle] = new CycleFunction(this, cycle === 'probe' ? 'ProbeCycle' : 'SshCycle', {
        cycle,
        inventory: inv,
        network: this.network,
        alertTable: this.alerting.table,
        alertTopic: this.alerting.topic,
        alertTopicKey: this.alerting.key,
        failureQueue: this.failureQueue.queue,
        shardCount: cycleShards(inv, cycle).length,
      });
    }
    const fns = Object.fromEntries(Object.entries(this.functions).map(([c, f]) => [c, f.function]));
    this.schedules = new Schedules(this, 'Schedules', {
      inventory: inv,
      functions: fns,
      failureQueue: this.failureQueue.queue,
    });
    this.watchdog = new Watchdog(this, 'Watchdog', {
      inventory: inv,
      functions: this.functions,
      failureQueue: this.failureQueue.queue,
      topic: this.alerting.topic,
      topicKey: this.alerting.key,
      ...(this.alerting.fallback === undefined ? {} : { fallbackTopic: this.alerting.fallback.topic }),
    });
    this.alerting.allowPublishers([
      ...Object.values(this.functions).map((f) => f.role),
      this.watchdog.relay.role,
    ]);
    this.dashboards = new Dashboards(this, 'Dashboards', {
      inventory: inv,
      functions: this.functions,
      alarms: this.watchdog.alarms,
    });

    this.integrations = new Integrations(this, 'Integrations', {
      inventory: inv,
      topic: this.alerting.topic,
      topicKey: this.alerting.key,
      ...(this.alerting.fallback === undefined ? {} : { fallbackTopic: this.alerting.fallback.topic }),
    });
    if (this.integrations.chatbotTopic !== undefined) {
      new CfnOutput(this, 'ChatbotTopicArn', {
        value: this.integrations.chatbotTopic.topicArn,
        description: 'Chatbot custom notifications: add to a Chatbot channel configuration',
      });
    }

    this.operators = new Operators(this, 'Operators', { table: this.alerting.table });
    new CfnOutput(this, 'AlertTableName', {
      value: this.alerting.table.tableName,
      description: 'Alert state, silences and acks: cpq-monitor silence|ack --table (or --stack)',
    });
    new CfnOutput(this, 'OperatorPolicyArn', {
      value: this.operators.policy.managedPolicyArn,
      description: 'Attach to the on-call role or group: cpq-monitor silence and ack',
    });
    new CfnOutput(this, 'AlertTopicArn', {
      value: this.alerting.topic.topicArn,
      description: 'Subscribe pagers here',
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboards.dashboards[0]!.dashboardName });
    new CfnOutput(this, 'FailureQueueUrl', { value: this.failureQueue.queue.queueUrl });
    this.addVerifyOutputs(inv);
    this.acknowledgeNagFindings(inv);
  }

  /**
   * What `cpq-monitor verify` reads to find its way around the deployed stack (STACK_OUTPUTS in
   * shared/verify/stack.ts names them). A fixed handful, whatever the fleet size.
   */
  private addVerifyOutputs(inv: Inventory): void {
    if (this.alerting.fallback !== undefined) {
      new CfnOutput(this, STACK_OUTPUTS.fallbackTopicArn, {
        value: this.alerting.fallback.topic.topicArn,
        description: 'Second channel: watchdog alarms notify it directly',
      });
    }
    new CfnOutput(this, STACK_OUTPUTS.metricsNamespace, { value: inv.monitor.namespace });
    for (const [cycle, cf] of Object.entries(this.functions) as [CycleName, CycleFunction][]) {
      new CfnOutput(this, STACK_OUTPUTS.functionName[cycle], { value: cf.function.functionName });
      new CfnOutput(this, STACK_OUTPUTS.logGroupName[cycle], { value: cf.logGroup.logGroupName });
      new CfnOutput(this, STACK_OUTPUTS.intervalMinutes[cycle], {
        value: String(cycleIntervalMinutes(inv, cycle)),
      });
    }
    new CfnOutput(this, STACK_OUTPUTS.relayLogGroupName, {
      value: this.watchdog.relay.logGroup.logGroupName,
    });
  }

  /** cdk-nag findings that are intended, each acknowledged on the construct it concerns, with the reason. */
  private acknowledgeNagFindings(inv: Inventory): void {
    for (const cf of Object.values(this.functions)) {
      Validations.of(cf.role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'One statement needs Resource "*": the Lambda VPC ENI actions (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DescribeSubnets have no resource-level permissions).',
      });
    }
    const byTag = inv.deploy?.sshSecrets;
    const ssh = this.functions.ssh;
    if (byTag !== undefined && ssh !== undefined) {
      for (const arn of secretPrefixArns(this, sshSecretIds(inv), byTag.prefix)) {
        Validations.of(ssh.role).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(this.resolve(arn))}]`,
          reason: `SSH secrets granted by name prefix plus resource tag (attribute-based, deploy.sshSecrets): the prefix is validated as specific (no wildcard characters, ends at a separator) and only secrets tagged ${byTag.tagKey}=${byTag.tagValue} are readable.`,
        });
      }
    }
    if (this.integrations.deadLetterQueue !== undefined) {
      Validations.of(this.integrations.deadLetterQueue).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter queue of the integration forwarders and of their SNS subscriptions; a DLQ of a DLQ adds nothing.',
      });
    }
    Validations.of(this.failureQueue.queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the cycle functions and of their schedules; a DLQ of a DLQ adds nothing.',
    });
  }
}

/** A resolved ARN as cdk-nag names it in finding ids: `{ Ref: X }` becomes `<X>`. */
function nagResource(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join !== undefined) return join[1].map(nagResource).join(join[0]);
  const ref = (resolved as { Ref?: string }).Ref;
  return ref !== undefined ? `<${ref}>` : JSON.stringify(resolved);
}
