/**
 * Paging and alert state: a KMS-encrypted SNS topic with the inventory's subscriptions, an optional
 * fallback topic with its own key (the second channel for when the paging topic itself is broken),
 * and the DynamoDB table the alert state machine keeps its entries in.
 *
 * Who may publish is written down, not left to SNS's default policy: `enforceSSL` makes CDK write a
 * topic policy holding only the TLS deny, which replaces SNS's default policy, so CloudWatch (a
 * service principal, outside IAM) can publish only if a statement here allows it. Each topic's
 * policy allows exactly its publishers; each key's policy lets CloudWatch encrypt for exactly this
 * account's alarms (docs/deploy.md, "Who may publish to the topics").
 */
import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, Effect, type IRole, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Inventory } from '../../shared/inventory';
// The table's keys are the ones the stores that read and write it use.
import { ALERT_TABLE } from '../../shared/state/table';

/** Subscriptions come from `deploy.subscriptions` (already merged with `-c alertEmail=...` context). */
export interface AlertingProps {
  /** The validated inventory. */
  readonly inventory: Inventory;
  /**
   * Every alarm allowed to notify the topics is named `<alarmNamePrefix>...` (the stack's watchdog
   * alarms): the `aws:SourceArn` condition of the CloudWatch statements.
   */
  readonly alarmNamePrefix: string;
}

/** A topic and the key that encrypts it. */
export interface EncryptedTopic {
  readonly key: Key;
  readonly topic: Topic;
}

/** Sids of the statements this construct writes, for tests and for readers of the deployed policies. */
export const POLICY_SIDS = {
  cloudWatchPublish: 'CloudWatchAlarmsOfThisAccountPublish',
  cloudWatchKey: 'CloudWatchAlarmsOfThisAccountEncrypt',
  rolesPublish: 'MonitorRolesPublish',
} as const;

/** The paging topic (KMS-encrypted, TLS-only), the optional fallback topic and the alert state table. */
export class Alerting extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly table: Table;
  /** The second channel (`deploy.fallback`), absent when the inventory has none. */
  readonly fallback: EncryptedTopic | undefined;
  private publishersAllowed = false;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const main = encryptedTopic(this, 'Topic', 'TopicKey', 'the paging topic', props.alarmNamePrefix);
    this.key = main.key;
    this.topic = main.topic;
    const subs = props.inventory.deploy?.subscriptions ?? { email: [], https: [], sms: [] };
    for (const address of subs.email) this.topic.addSubscription(new EmailSubscription(address));
    // Pager services (PagerDuty, Opsgenie...) take the JSON message as-is, so no raw delivery.
    for (const url of subs.https) this.topic.addSubscription(new UrlSubscription(url));
    for (const number of subs.sms) this.topic.addSubscription(new SmsSubscription(number));

    const fb = props.inventory.deploy?.fallback;
    if (fb !== undefined) {
      // Its own key: a disabled or deleted paging key must not silence the fallback as well.
      this.fallback = encryptedTopic(
        this,
        'FallbackTopic',
        'FallbackTopicKey',
        'the fallback paging topic',
        props.alarmNamePrefix,
      );
      for (const address of fb.email) this.fallback.topic.addSubscription(new EmailSubscription(address));
      for (const number of fb.sms) this.fallback.topic.addSubscription(new SmsSubscription(number));
    }

    this.table = new Table(this, 'AlertState', {
      partitionKey: { name: ALERT_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ALERT_TABLE.ttlAttribute,
      // Encrypted at rest with the AWS-owned key: no KMS requests to pay per read or write.
      encryption: TableEncryption.DEFAULT,
      // Alert state is rebuilt by the next cycles; removing the stack removes it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The open alerts of a shard's appliances, without scanning the fleet (shared/state/table.ts).
    // Added to an existing table, DynamoDB fills it from the records already there.
    this.table.addGlobalSecondaryIndex({
      indexName: ALERT_TABLE.applianceIndex,
      partitionKey: { name: ALERT_TABLE.applianceAttribute, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }

  /**
   * Names these roles in the paging topic's policy as its publishers (their own policies grant
   * `sns:Publish` too; the topic policy then lists every publisher in one place). Call once, with
   * every role that publishes pages.
   */
  allowPublishers(roles: readonly IRole[]): void {
    if (this.publishersAllowed) throw new Error('allowPublishers: call it once, with every publishing role');
    this.publishersAllowed = true;
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: POLICY_SIDS.rolesPublish,
        effect: Effect.ALLOW,
        principals: roles.map((r) => new ArnPrincipal(r.roleArn)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
  }
}

/**
 * A TLS-only topic encrypted with its own rotating key, both letting exactly this account's alarms
 * named `<alarmNamePrefix>...` publish. `aws:SourceAccount` and `aws:SourceArn` keep another
 * account's alarm (or another alarm of this one) from using CloudWatch as a confused deputy; both
 * keys work in SNS topic policies and in KMS key policies for CloudWatch (AWS: "Amazon SNS
 * encryption for alarm actions" and "Cross-service confused deputy prevention").
 */
function encryptedTopic(
  scope: Construct,
  topicId: string,
  keyId: string,
  what: string,
  alarmNamePrefix: string,
): EncryptedTopic {
  const key = new Key(scope, keyId, {
    description: `cpq-monitor: encrypts ${what}`,
    enableKeyRotation: true,
    // Nothing but in-flight pages is encrypted with it: the key goes with the stack (after AWS's waiting period).
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  const topic = new Topic(scope, topicId, {
    displayName: 'cpq-monitor',
    masterKey: key,
    enforceSSL: true,
  });
  const conditions = cloudWatchAlarmConditions(Stack.of(scope), alarmNamePrefix);
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: POLICY_SIDS.cloudWatchPublish,
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    }),
  );
  // SNS asks KMS for a data key on the publisher's behalf: CloudWatch needs these two on the key.
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: POLICY_SIDS.cloudWatchKey,
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions,
    }),
  );
  return { key, topic };
}

/** Conditions naming this account's alarms `<prefix>*` as the only CloudWatch callers. */
export function cloudWatchAlarmConditions(stack: Stack, alarmNamePrefix: string): Record<string, unknown> {
  return {
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `${alarmNamePrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
}
