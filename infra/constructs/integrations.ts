/**
 * Chat and pager integrations, optional (inventory `deploy.integrations`): one forwarder Lambda per
 * integration subscribed to the paging topic, a dead-letter queue for what they could not send (and
 * an alarm on it), and for AWS Chatbot a second topic carrying Chatbot's custom notification format
 * plus, given Slack or Teams ids, the channel configuration. Why a second topic: docs/alerts.md
 * (AWS Chatbot). Nothing here grows with the fleet.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnMicrosoftTeamsChannelConfiguration, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IRole, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INTEGRATION_REJECTED_METRIC } from '../../shared/integrations/forward';
import { NOT_FOUND_RETRY } from '../../shared/integrations/pagerduty';
import type { IntegrationName } from '../../shared/integrations/registry';
import { DEFAULTS, type Inventory } from '../../shared/inventory';
import { bundledFunction, secretArn } from './cycle-function';
import { retentionDays } from './log-retention';

/** Async invocations Lambda retries after the first fails (its maximum): 429s and 5xx get three tries. */
export const FORWARDER_RETRY_ATTEMPTS = 2;
/** Memory and time of one forwarder run: one HTTPS request or one SNS publish per message. */
export const FORWARDER_SIZING = { memoryMb: 256, timeoutSeconds: 30 } as const;
/** Runbook anchor (docs/deploy.md) of the forwarder dead-letter alarm. */
export const FORWARDER_ALARM_ANCHOR = 'watchdog-integration-forwarder-failures';
/** Runbook anchor (docs/deploy.md) of the alarm on refused messages. */
export const REJECTED_ALARM_ANCHOR = 'integration-failures';
/**
 * The channel's guardrail: Chatbot here only posts notifications, so commands typed in the channel
 * may do nothing (without a guardrail Chatbot applies AdministratorAccess).
 */
export const CHATBOT_GUARDRAIL = 'AWSDenyAll';

/**
 * Each integration's forwarder: its construct id (part of every logical id under it, so fixed once
 * deployed) and the service's name in the function's description. Keyed by the registry's names:
 * the compiler asks for an entry when an integration is added.
 */
const FORWARDER_NAMES: Readonly<Record<IntegrationName, { id: string; label: string }>> = {
  chatbot: { id: 'ChatbotForwarder', label: 'AWS Chatbot' },
  pagerduty: { id: 'PagerDutyForwarder', label: 'PagerDuty' },
};

/** What the integrations attach to. */
export interface IntegrationsProps {
  readonly inventory: Inventory;
  /** The paging topic the forwarders subscribe to (and the dead-letter alarm notifies). */
  readonly topic: ITopic;
  /** The paging topic's key: it also encrypts the Chatbot topic. */
  readonly topicKey: IKey;
  /** The second channel (`deploy.fallback`): notified of refused messages instead of the paging topic. */
  readonly fallbackTopic?: ITopic;
}

/** One forwarder Lambda, its role and log group. */
export interface Forwarder {
  readonly function: NodejsFunction;
  readonly role: IRole;
  readonly logGroup: LogGroup;
}

type IntegrationSettings = NonNullable<NonNullable<Inventory['deploy']>['integrations']>;
type ChatbotSettings = NonNullable<IntegrationSettings['chatbot']>;
type PagerDutySettings = NonNullable<IntegrationSettings['pagerduty']>;

/** The integrations the inventory asks for; an empty construct when it asks for none. */
export class Integrations extends Construct {
  readonly forwarders: Partial<Record<IntegrationName, Forwarder>> = {};
  /** Carries Chatbot custom notifications; subscribe Chatbot channel configurations here. */
  readonly chatbotTopic?: Topic;
  readonly chatbotRole?: Role;
  readonly slackChannel?: SlackChannelConfiguration;
  readonly teamsChannel?: CfnMicrosoftTeamsChannelConfiguration;
  /** Events the forwarders failed after their retries (and messages SNS could not hand them). */
  readonly deadLetterQueue?: Queue;
  readonly deadLetterAlarm?: Alarm;
  /** Messages an integration refused for good (IntegrationRejected). */
  readonly rejectedAlarm?: Alarm;

  constructor(scope: Construct, id: string, props: IntegrationsProps) {
    super(scope, id);
    const inv = props.inventory;
    const conf = inv.deploy?.integrations;
    if (conf?.chatbot === undefined && conf?.pagerduty === undefined) return;
    const stackName = Stack.of(this).stackName;

    this.deadLetterQueue = new Queue(this, 'ForwarderFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    if (conf.chatbot !== undefined) {
      this.chatbotTopic = new Topic(this, 'ChatbotTopic', {
        displayName: 'cpq-monitor chat',
        masterKey: props.topicKey,
        enforceSSL: true,
      });
      this.chatbotForwarder(this.chatbotTopic, inv, props);
      const channels = this.chatChannels(this.chatbotTopic, conf.chatbot, stackName);
      this.chatbotRole = channels.role;
      this.slackChannel = channels.slack;
      this.teamsChannel = channels.teams;
    }
    if (conf.pagerduty !== undefined) this.pagerDutyForwarder(conf.pagerduty, inv, props);
    this.deadLetterAlarm = this.failuresAlarm(this.deadLetterQueue, inv, props.topic, stackName);
    this.rejectedAlarm = this.rejectedMessagesAlarm(inv, props, stackName);
  }

  /** The Chatbot forwarder: publishes the chat card to the Chatbot topic, encrypted with the topic key. */
  private chatbotForwarder(topic: Topic, inv: Inventory, props: IntegrationsProps): void {
    const fwd = this.forwarder('chatbot', inv, props, { CHATBOT_TOPIC_ARN: topic.topicArn });
    fwd.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PublishChatNotifications',
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
      }),
    );
    fwd.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EncryptChatNotifications',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
      }),
    );
  }

  /** The Slack and Teams channel configurations the inventory names, subscribed to the Chatbot topic. */
  private chatChannels(
    topic: Topic,
    chatbot: ChatbotSettings,
    stackName: string,
  ): { role?: Role; slack?: SlackChannelConfiguration; teams?: CfnMicrosoftTeamsChannelConfiguration } {
    const { slack, teams } = chatbot;
    if (slack === undefined && teams === undefined) return {};
    // Chatbot assumes this role only for commands typed in the channel: it gets no permission.
    const role = new Role(this, 'ChatbotChannelRole', {
      assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
      description: 'cpq-monitor chat channel (notifications only, no permissions)',
    });
    const configName = `${stackName}-alerts`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);
    const guardrail = ManagedPolicy.fromAwsManagedPolicyName(CHATBOT_GUARDRAIL);
    return {
      role,
      ...(slack !== undefined
        ? {
            slack: new SlackChannelConfiguration(this, 'SlackChannel', {
              slackChannelConfigurationName: configName,
              slackWorkspaceId: slack.workspaceId,
              slackChannelId: slack.channelId,
              notificationTopics: [topic],
              role,
              guardrailPolicies: [guardrail],
              userRoleRequired: false,
            }),
          }
        : {}),
      ...(teams !== undefined
        ? {
            teams: new CfnMicrosoftTeamsChannelConfiguration(this, 'TeamsChannel', {
              configurationName: configName,
              teamId: teams.teamId,
              teamsTenantId: teams.tenantId,
              teamsChannelId: teams.channelId,
              iamRoleArn: role.roleArn,
              snsTopicArns: [topic.topicArn],
              guardrailPolicies: [guardrail.managedPolicyArn],
              userRoleRequired: false,
            }),
          }
        : {}),
    };
  }

  /** The PagerDuty forwarder, allowed to read the one secret that holds its routing key. */
  private pagerDutyForwarder(pagerduty: PagerDutySettings, inv: Inventory, props: IntegrationsProps): void {
    const { secretId, region } = pagerduty;
    const fwd = this.forwarder('pagerduty', inv, props, {
      PAGERDUTY_SECRET_ID: secretId,
      PAGERDUTY_REGION: region,
    });
    // Paired with PAGERDUTY_SECRET_ID: that one secret, nothing else.
    fwd.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadPagerDutyRoutingKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn(Stack.of(this), secretId, 'deploy.integrations.pagerduty.secretId')],
      }),
    );
  }

  /** Pages the paging topic while a notification waits in the forwarders' dead-letter queue. */
  private failuresAlarm(queue: Queue, inv: Inventory, topic: ITopic, stackName: string): Alarm {
    const runbook = `${inv.deploy?.runbookUrl ?? DEFAULTS.deployRunbookUrl}#${FORWARDER_ALARM_ANCHOR}`;
    const alarm = new Alarm(this, 'ForwarderFailuresAlarm', {
      alarmName: `${stackName}-integration-forwarder-failures`,
      alarmDescription: `A chat or pager integration could not deliver a notification after ${FORWARDER_RETRY_ATTEMPTS + 1} attempts: it waits in the forwarder dead-letter queue (e-mail and SMS subscribers did get it). Runbook: ${runbook}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }

  /**
   * An integration that refuses messages (a revoked PagerDuty key, a deleted service) would fail
   * through the paging topic itself, so this alarm goes to the fallback path when there is one,
   * and otherwise to the paging topic, whose e-mail and SMS subscribers still receive it.
   */
  private rejectedMessagesAlarm(inv: Inventory, props: IntegrationsProps, stackName: string): Alarm {
    const runbook = `${inv.deploy?.runbookUrl ?? DEFAULTS.deployRunbookUrl}#${REJECTED_ALARM_ANCHOR}`;
    const alarm = new Alarm(this, 'RejectedMessagesAlarm', {
      alarmName: `${stackName}-integration-rejected`,
      alarmDescription: `A chat or pager integration refused a notification for good (HTTP 4xx; a PagerDuty 404 after ${NOT_FOUND_RETRY.attempts} attempts): it is kept in the forwarder dead-letter queue. Check the integration's key or configuration. Runbook: ${runbook}`,
      metric: new Metric({
        namespace: inv.monitor.namespace,
        metricName: INTEGRATION_REJECTED_METRIC,
        statistic: Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(props.fallbackTopic ?? props.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }

  /** A forwarder for one destination: own role, own log group, retries, the dead-letter queue. */
  private forwarder(
    destination: IntegrationName,
    inv: Inventory,
    props: IntegrationsProps,
    environment: Record<string, string>,
  ): Forwarder {
    const scope = new Construct(this, FORWARDER_NAMES[destination].id);
    const logGroup = new LogGroup(scope, 'LogGroup', {
      logGroupName: `/cpq-monitor/${Stack.of(this).stackName}/forward-${destination}`,
      retention: retentionDays(inv),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `cpq-monitor ${destination} forwarder`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(scope, 'Function', {
      description: `cpq-monitor: forwards pages and recoveries to ${FORWARDER_NAMES[destination].label}`,
      ...bundledFunction('forwarder.ts'),
      memorySize: FORWARDER_SIZING.memoryMb,
      timeout: Duration.seconds(FORWARDER_SIZING.timeoutSeconds),
      role,
      logGroup,
      // Outside the VPC: it talks to PagerDuty or SNS, never to an appliance.
      retryAttempts: FORWARDER_RETRY_ATTEMPTS,
      deadLetterQueue: this.deadLetterQueue,
      maxEventAge: Duration.hours(6),
      environment: {
        FORWARD_TO: destination,
        ...environment,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue!.queueUrl,
        METRICS_NAMESPACE: inv.monitor.namespace,
        LOG_LEVEL: inv.deploy?.logLevel ?? 'info',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // SNS retries a Lambda it cannot invoke; what it finally cannot hand over lands in the same queue.
    props.topic.addSubscription(new LambdaSubscription(fn, { deadLetterQueue: this.deadLetterQueue }));
    const forwarder = { function: fn, role, logGroup };
    this.forwarders[destination] = forwarder;
    return forwarder;
  }
}
