/**
 * docs/iam/cfn-execution-policy.json covers what `cdk deploy` of this stack makes CloudFormation
 * do, and nothing more: the actions each resource type of the synthesized template needs (the
 * create/update/delete handlers of its CloudFormation resource type) are all allowed, every
 * allowed action is needed by a type the stack has, and a resource type the table does not know
 * fails the test until its actions are added to the policy and here. Also checks the AWS names
 * docs/onboarding.md uses (an alarm, a log group) exist in the template.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleInventory, fleetInventory, synth } from './fixtures';

const DOCS = join(__dirname, '../../docs');

type Statement = { Effect: string; Action: string | string[]; Resource: string | string[] };
type PolicyDocument = { Version: string; Statement: Statement[] };

const tagging = (svc: string, list = 'ListTagsForResource') => [
  `${svc}:TagResource`,
  `${svc}:UntagResource`,
  `${svc}:${list}`,
];

/** What CloudFormation calls to create, update and delete each resource type the stack uses. */
const NEEDED: Record<string, string[]> = {
  'AWS::CloudWatch::Alarm': [
    'cloudwatch:PutMetricAlarm',
    'cloudwatch:DescribeAlarms',
    'cloudwatch:DeleteAlarms',
    ...tagging('cloudwatch'),
  ],
  'AWS::CloudWatch::Dashboard': [
    'cloudwatch:PutDashboard',
    'cloudwatch:GetDashboard',
    'cloudwatch:ListDashboards',
    'cloudwatch:DeleteDashboards',
  ],
  'AWS::DynamoDB::Table': [
    'dynamodb:CreateTable',
    'dynamodb:DescribeTable',
    'dynamodb:UpdateTable',
    'dynamodb:DeleteTable',
    'dynamodb:UpdateTimeToLive',
    'dynamodb:DescribeTimeToLive',
    'dynamodb:UpdateContinuousBackups',
    'dynamodb:DescribeContinuousBackups',
    ...tagging('dynamodb', 'ListTagsOfResource'),
  ],
  'AWS::EC2::SecurityGroup': [
    'ec2:CreateSecurityGroup',
    'ec2:DeleteSecurityGroup',
    'ec2:DescribeSecurityGroups',
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:CreateTags',
    'ec2:DeleteTags',
    'ec2:DescribeTags',
  ],
  'AWS::EC2::SecurityGroupEgress': [
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:DescribeSecurityGroupRules',
    'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
  ],
  'AWS::EC2::SecurityGroupIngress': [
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupIngress',
    'ec2:DescribeSecurityGroupRules',
    'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
  ],
  'AWS::EC2::VPCEndpoint': [
    'ec2:CreateVpcEndpoint',
    'ec2:ModifyVpcEndpoint',
    'ec2:DeleteVpcEndpoints',
    'ec2:DescribeVpcEndpoints',
    'ec2:DescribePrefixLists',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  'AWS::EC2::VPC': [
    'ec2:CreateVpc',
    'ec2:DeleteVpc',
    'ec2:DescribeVpcs',
    'ec2:ModifyVpcAttribute',
    'ec2:DescribeVpcAttribute',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  'AWS::EC2::Subnet': [
    'ec2:CreateSubnet',
    'ec2:DeleteSubnet',
    'ec2:DescribeSubnets',
    'ec2:ModifySubnetAttribute',
    'ec2:DescribeAvailabilityZones',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  'AWS::EC2::RouteTable': [
    'ec2:CreateRouteTable',
    'ec2:DeleteRouteTable',
    'ec2:DescribeRouteTables',
    'ec2:CreateTags',
    'ec2:DeleteTags',
  ],
  'AWS::EC2::SubnetRouteTableAssociation': [
    'ec2:AssociateRouteTable',
    'ec2:DisassociateRouteTable',
    'ec2:DescribeRouteTables',
  ],
  'AWS::EC2::FlowLog': ['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs', 'ec2:DescribeFlowLogs', 'iam:PassRole'],
  // Nested stacks holding the schedules (their templates come from the bootstrap bucket); the
  // same execution role then creates what they hold, the AWS::Scheduler::Schedule resources.
  'AWS::CloudFormation::Stack': [
    'cloudformation:CreateStack',
    'cloudformation:UpdateStack',
    'cloudformation:DeleteStack',
    'cloudformation:DescribeStacks',
    's3:GetObject',
    'scheduler:CreateSchedule',
    'scheduler:GetSchedule',
    'scheduler:UpdateSchedule',
    'scheduler:DeleteSchedule',
    'iam:PassRole',
  ],
  'AWS::Events::Rule': [
    'events:PutRule',
    'events:DescribeRule',
    'events:DeleteRule',
    'events:PutTargets',
    'events:RemoveTargets',
  ],
  'AWS::IAM::ManagedPolicy': [
    'iam:CreatePolicy',
    'iam:GetPolicy',
    'iam:DeletePolicy',
    'iam:CreatePolicyVersion',
    'iam:DeletePolicyVersion',
    'iam:ListPolicyVersions',
  ],
  'AWS::Lambda::Permission': ['lambda:AddPermission', 'lambda:RemovePermission'],
  'AWS::IAM::Role': [
    'iam:CreateRole',
    'iam:GetRole',
    'iam:DeleteRole',
    'iam:UpdateAssumeRolePolicy',
    'iam:TagRole',
    'iam:UntagRole',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:ListRolePolicies',
    'iam:ListAttachedRolePolicies',
  ],
  'AWS::IAM::Policy': ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
  'AWS::KMS::Key': [
    'kms:CreateKey',
    'kms:DescribeKey',
    'kms:PutKeyPolicy',
    'kms:GetKeyPolicy',
    'kms:EnableKeyRotation',
    'kms:GetKeyRotationStatus',
    'kms:ScheduleKeyDeletion',
    ...tagging('kms', 'ListResourceTags'),
  ],
  'AWS::Lambda::Function': [
    'lambda:CreateFunction',
    'lambda:GetFunction',
    'lambda:GetFunctionConfiguration',
    'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration',
    'lambda:DeleteFunction',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'lambda:GetFunctionConcurrency',
    'lambda:TagResource',
    'lambda:UntagResource',
    'lambda:ListTags',
    // The function's role is handed to Lambda; its code comes from the bootstrap bucket; its
    // network interfaces go into the VPC's subnets and security groups.
    'iam:PassRole',
    's3:GetObject',
    's3:GetObjectVersion',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs',
    'ec2:DescribeNetworkInterfaces',
  ],
  'AWS::Lambda::EventInvokeConfig': [
    'lambda:PutFunctionEventInvokeConfig',
    'lambda:UpdateFunctionEventInvokeConfig',
    'lambda:GetFunctionEventInvokeConfig',
    'lambda:DeleteFunctionEventInvokeConfig',
  ],
  'AWS::Logs::LogGroup': [
    'logs:CreateLogGroup',
    'logs:DeleteLogGroup',
    'logs:DescribeLogGroups',
    'logs:PutRetentionPolicy',
    'logs:DeleteRetentionPolicy',
    ...tagging('logs'),
  ],
  'AWS::SNS::Topic': [
    'sns:CreateTopic',
    'sns:DeleteTopic',
    'sns:GetTopicAttributes',
    'sns:SetTopicAttributes',
    'sns:ListSubscriptionsByTopic',
    ...tagging('sns'),
  ],
  'AWS::SNS::TopicPolicy': ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'],
  'AWS::SNS::Subscription': [
    'sns:Subscribe',
    'sns:Unsubscribe',
    'sns:GetSubscriptionAttributes',
    'sns:SetSubscriptionAttributes',
  ],
  'AWS::SQS::Queue': [
    'sqs:CreateQueue',
    'sqs:DeleteQueue',
    'sqs:GetQueueAttributes',
    'sqs:SetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:TagQueue',
    'sqs:UntagQueue',
    'sqs:ListQueueTags',
  ],
  'AWS::SQS::QueuePolicy': ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
  'AWS::Scheduler::Schedule': [
    'scheduler:CreateSchedule',
    'scheduler:GetSchedule',
    'scheduler:UpdateSchedule',
    'scheduler:DeleteSchedule',
    'iam:PassRole',
  ],
};

function policy(file: string): PolicyDocument {
  return JSON.parse(readFileSync(join(DOCS, 'iam', file), 'utf8')) as PolicyDocument;
}

/** IAM's action matching: case-insensitive, `*` and `?` wildcards. */
function allows(doc: PolicyDocument, action: string): boolean {
  return doc.Statement.some(
    (s) =>
      s.Effect === 'Allow' &&
      [s.Action].flat().some((pattern) =>
        new RegExp(
          `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          'i',
        ).test(action),
      ),
  );
}

// Both shapes of the stack: the example's (your VPC, subscriptions) and a generated fleet's
// (no deploy.vpc: the trial VPC with subnets, route tables and a flow log).
const templates = [synth(exampleInventory()).template, synth(fleetInventory(3)).template].map(
  (t) => t.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> },
);
const types = [...new Set(templates.flatMap((t) => Object.values(t.Resources).map((r) => r.Type)))].sort();

describe('docs/iam/cfn-execution-policy.json', () => {
  const doc = policy('cfn-execution-policy.json');

  it('knows the actions of every resource type the stack synthesizes', () => {
    expect(types.filter((t) => NEEDED[t] === undefined)).toEqual([]);
  });

  it.each(types)('allows every action CloudFormation needs for %s', (type) => {
    expect((NEEDED[type] ?? []).filter((a) => !allows(doc, a))).toEqual([]);
  });

  it('allows no action that no resource type of the stack needs, and no service wildcard', () => {
    const needed = new Set(types.flatMap((t) => NEEDED[t] ?? []).map((a) => a.toLowerCase()));
    const granted = doc.Statement.flatMap((s) => [s.Action].flat());
    expect(granted.filter((a) => a.includes('*'))).toEqual([]);
    expect(granted.filter((a) => !needed.has(a.toLowerCase()))).toEqual([]);
  });

  it('scopes what can be scoped by name to the default stack name', () => {
    const scoped = doc.Statement.filter((s) => [s.Resource].flat().some((r) => r !== '*'));
    for (const s of scoped) {
      for (const r of [s.Resource].flat()) expect(r).toMatch(/CpqMonitor\*|cdk-hnb659fds-assets-\*/);
    }
  });
});

describe('docs/iam/deployer-policy.json', () => {
  it('only assumes the CDK bootstrap roles, reads the bootstrap version and watches the stack', () => {
    const doc = policy('deployer-policy.json');
    expect(doc.Statement.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStacks',
      'cloudformation:GetTemplate',
      'ssm:GetParameter',
      'sts:AssumeRole',
    ]);
  });
});

describe('the AWS names docs/onboarding.md uses exist in the template', () => {
  const text = readFileSync(join(DOCS, 'onboarding.md'), 'utf8');
  const props = Object.values(templates[0]!.Resources).map((r) => r.Properties ?? {});

  it.each([...text.matchAll(/aws logs tail (\S+)/g)].map((m) => m[1]!))('log group %s', (name) => {
    expect(props.map((p) => p.LogGroupName)).toContain(name);
  });
});
