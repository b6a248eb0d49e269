/**
 * Paging and alert state: a KMS-encrypted SNS topic with the inventory's subscriptions, and the
 * DynamoDB table the alert state machine keeps its entries in.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
// The table's keys are the ones the stores that read and write it use.
import { ALERT_TABLE } from '../../shared/alerts/table';
import type { Inventory } from '../../shared/inventory';

/** Subscriptions come from `deploy.subscriptions` (already merged with `-c alertEmail=...` context). */
export interface AlertingProps {
  /** The validated inventory. */
  readonly inventory: Inventory;
}

/** The paging topic (KMS-encrypted, TLS-only) and the alert state table. */
export class Alerting extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.key = new Key(this, 'TopicKey', {
      description: 'cpq-monitor: encrypts the paging topic',
      enableKeyRotation: true,
      // Nothing but in-flight pages is encrypted with it: the key goes with the stack (after AWS's waiting period).
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to the encrypted topic: the key must let the service encrypt for it.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'cpq-monitor',
      masterKey: this.key,
      enforceSSL: true,
    });
    const subs = props.inventory.deploy?.subscriptions ?? { email: [], https: [], sms: [] };
    for (const address of subs.email) this.topic.addSubscription(new EmailSubscription(address));
    // Pager services (PagerDuty, Opsgenie...) take the JSON message as-is, so no raw delivery.
    for (const url of subs.https) this.topic.addSubscription(new UrlSubscription(url));
    for (const number of subs.sms) this.topic.addSubscription(new SmsSubscription(number));

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
  }
}
