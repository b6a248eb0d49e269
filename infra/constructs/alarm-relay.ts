/**
 * The watchdog alarms' path to the pager with message attributes: an EventBridge rule on "CloudWatch
 * Alarm State Change" of the listed alarms → a small Lambda (functions/alarm-relay.ts) that publishes
 * each change to the paging topic in the same format and with the same attributes as a page. Outside
 * the VPC on purpose: a broken endpoint or security group must not silence the watchdog too.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WatchdogCatalog } from '../../shared/alerts/watchdog-alarm';
import { ConfigError } from '../../shared/errors';
import type { Inventory } from '../../shared/inventory';
import { bundledFunction } from './cycle-function';
import { retentionDays } from './log-retention';

/**
 * Lambda's limit on one function's environment variables: 4 KB in total, names and values
 * (AWS Lambda quotas: "Function resource" quotas, "Environment variables").
 */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

/** Inputs of the relay. */
export interface AlarmRelayProps {
  readonly inventory: Inventory;
  /** The alarms to relay, by alarm name. */
  readonly catalog: WatchdogCatalog;
  /** Base of the runbook links (the alarm's anchor is appended). */
  readonly runbookUrl: string;
  readonly topic: ITopic;
  readonly topicKey: IKey;
  /** Where events the relay could not deliver end up (and EventBridge's own failures). */
  readonly failureQueue: IQueue;
}

/** The relay function, its role, its log group and the rule feeding it. */
export class AlarmRelay extends Construct {
  readonly function: NodejsFunction;
  readonly role: IRole;
  readonly logGroup: LogGroup;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: AlarmRelayProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/cpq-monitor/${stackName}/alarm-relay`,
      retention: retentionDays(props.inventory),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'cpq-monitor watchdog alarm relay',
    });
    this.logGroup.grantWrite(role);
    role.addToPolicy(
      new PolicyStatement({
        sid: 'PublishWatchdogPages',
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'EncryptPages',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
      }),
    );
    this.role = role;

    const environment = {
      ALERT_TOPIC_ARN: props.topic.topicArn,
      WATCHDOG_ALARMS: JSON.stringify(props.catalog),
      RUNBOOK_URL: props.runbookUrl,
      LOG_LEVEL: props.inventory.deploy?.logLevel ?? 'info',
      NODE_OPTIONS: '--enable-source-maps',
    };
    checkEnvironmentSize(environment);

    this.function = new NodejsFunction(this, 'Function', {
      description: 'cpq-monitor: watchdog alarm state changes to the paging topic, with message attributes',
      ...bundledFunction('alarm-relay.ts'),
      memorySize: 256,
      timeout: Duration.seconds(30),
      role,
      logGroup: this.logGroup,
      deadLetterQueue: props.failureQueue,
      // An alarm change is worth Lambda's retries (a throttled publish succeeds a minute later).
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      environment,
    });

    this.rule = new Rule(this, 'AlarmStateChanges', {
      description: 'cpq-monitor: watchdog alarm state changes to the alarm relay',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: {
          alarmName: Object.keys(props.catalog),
          state: { value: ['ALARM', 'OK'] },
        },
      },
      targets: [
        new LambdaFunction(this.function, {
          deadLetterQueue: props.failureQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}

/** Fails synth when the relay's environment would pass Lambda's 4 KB limit (a deploy would fail later). */
export function checkEnvironmentSize(env: Record<string, string>): void {
  // Tokens (the topic ARN) resolve to an ARN of at most 256 characters: count them as that.
  const bytes = Object.entries(env).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + (v.includes('${Token[') ? 256 : Buffer.byteLength(v)),
    0,
  );
  if (bytes > LAMBDA_ENVIRONMENT_MAX_BYTES) {
    throw new ConfigError(
      `the alarm relay's environment needs ${bytes} bytes, above Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES}: shorten deploy.runbookUrl`,
    );
  }
}
