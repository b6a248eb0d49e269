/**
 * What on-call may do at run time: a customer-managed IAM policy for `cpq-monitor silence` and
 * `cpq-monitor ack`, separate from the cycle functions' roles (docs/alerts.md#who-may-silence-and-acknowledge).
 * Attach it to the on-call role or group. It writes only the two operator items of the alert
 * table (dynamodb:LeadingKeys) with only their own attributes (dynamodb:Attributes), so a holder
 * can neither rewrite alert records nor make an operator item look like one; it reads the alert
 * state (to show what a silence mutes and which incident an ack covers) and this stack's outputs
 * (for `--stack`). The watchdog alarms are CloudWatch alarms, not alerts: nothing here touches them.
 */
import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { OPERATOR_ATTRIBUTES, OPERATOR_ITEMS } from '../../shared/state/table';

/** The alert table the operators' items live in. */
export interface OperatorsProps {
  readonly table: ITable;
}

/** The operators' managed policy. */
export class Operators extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorsProps) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'Policy', {
      description:
        'cpq-monitor on-call: add and remove silences, acknowledge alerts (writes only the silence and ack items of the alert table)',
      statements: [
        new PolicyStatement({
          sid: 'WriteSilencesAndAcksOnly',
          // A put replaces one whole document, conditionally on its version; removing a silence
          // is a put without it, so no UpdateItem or DeleteItem is needed.
          actions: ['dynamodb:PutItem'],
          resources: [props.table.tableArn],
          // Attribute-level control as AWS documents it: every attribute the put names is one of
          // the operators' (never `appliance`, `state` or `outbox`, so the item can neither enter
          // the alert index nor pass for an alert record), and the put returns nothing of the old
          // item. docs/alerts.md#who-may-silence-and-acknowledge
          conditions: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': [OPERATOR_ITEMS.silences, OPERATOR_ITEMS.acks],
              'dynamodb:Attributes': [...OPERATOR_ATTRIBUTES],
            },
            StringEqualsIfExists: {
              'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
              'dynamodb:ReturnValues': 'NONE',
            },
          },
        }),
        new PolicyStatement({
          sid: 'ReadAlertState',
          // GetItem: the two documents and the alert an ack names; BatchGetItem: the alerts of
          // stored acks; Scan: the open alerts `silence list` shows as muted.
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan'],
          resources: [props.table.tableArn],
        }),
        new PolicyStatement({
          sid: 'FindTheAlertTable',
          actions: ['cloudformation:DescribeStacks'],
          resources: [Stack.of(this).stackId],
        }),
      ],
    });
  }
}
