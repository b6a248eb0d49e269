import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { parse, stringify } from 'yaml';
import { CHATBOT_GUARDRAIL, FORWARDER_RETRY_ATTEMPTS } from '../../infra/constructs/integrations';
import { buildCpqMonitorApp } from '../../infra/cpq-monitor-app';
import type { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import { parseInventory } from '../../shared/inventory';
import {
  EXAMPLE_FILE,
  exampleInventory,
  fleetInventory,
  synth,
  tempDir,
  testApp,
  withDeploy,
} from './fixtures';

const INTEGRATIONS = {
  chatbot: {
    slack: { workspaceId: 'T07EXAMPLE', channelId: 'C07EXAMPLE' },
    teams: {
      teamId: '5d5f2b0e-3c9a-4a57-9a1e-2f7d2c0b9e11',
      tenantId: '8e1c0a4b-7f3d-4c2e-b5a6-9d8f7e6c5b4a',
      channelId: '19:abcdef0123456789@thread.tacv2',
    },
  },
  pagerduty: { secretId: 'cpq-monitor/pagerduty', region: 'eu' },
};

// biome-ignore lint/suspicious/noExplicitAny: template properties are free-form JSON, read by path in the assertions
type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

function ofType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function id(stack: CpqMonitorStack, c: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(c.node.defaultChild as never);
}

/** The statements of the policy attached to a role. */
function roleStatements(template: Template, roleId: string): Statement[] {
  return ofType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actions = (s: Statement[]) => s.flatMap((x) => [x.Action].flat()).sort();

describe('integrations off (the example inventory)', () => {
  it('adds nothing: no forwarder, no Chatbot topic, no extra queue', () => {
    const { stack, template } = synth(exampleInventory());
    expect(stack.integrations.forwarders).toEqual({});
    expect(stack.integrations.chatbotTopic).toBeUndefined();
    // The two cycle functions and the watchdog alarm relay.
    template.resourceCountIs('AWS::Lambda::Function', 3);
    // The paging topic and the example's fallback topic (deploy.fallback); no Chatbot topic.
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });
});

describe('integrations on (Chatbot to Slack and Teams, PagerDuty)', () => {
  const inv = withDeploy(exampleInventory(), (d) => ({ ...d, integrations: INTEGRATIONS }));
  const { stack, template } = synth(inv);
  const integ = stack.integrations;
  const alertTopic = id(stack, stack.alerting.topic);
  const chatTopic = id(stack, integ.chatbotTopic!);
  const dlq = id(stack, integ.deadLetterQueue!);
  const pd = integ.forwarders.pagerduty!;
  const chat = integ.forwarders.chatbot!;

  it('subscribes one forwarder per integration to the paging topic, with SNS redrive to the DLQ', () => {
    const subs = ofType(template, 'AWS::SNS::Subscription').filter(
      ([, s]) => s.Properties.Protocol === 'lambda',
    );
    expect(subs).toHaveLength(2);
    for (const [, s] of subs) {
      expect(s.Properties.TopicArn).toEqual({ Ref: alertTopic });
      expect(s.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } });
    }
    expect(subs.map(([, s]) => s.Properties.Endpoint['Fn::GetAtt'][0]).sort()).toEqual(
      [id(stack, pd.function), id(stack, chat.function)].sort(),
    );
  });

  it('retries failed invocations twice and then dead-letters them; runs Node 24 on ARM64 outside the VPC', () => {
    for (const f of [pd, chat]) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id(stack, f.function) },
        MaximumRetryAttempts: FORWARDER_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: 21600,
      });
      const fn = template.findResources('AWS::Lambda::Function')[id(stack, f.function)] as Resource;
      expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } });
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
    const pdFn = template.findResources('AWS::Lambda::Function')[id(stack, pd.function)] as Resource;
    expect(pdFn.Properties.Environment.Variables).toMatchObject({
      FORWARD_TO: 'pagerduty',
      PAGERDUTY_SECRET_ID: 'cpq-monitor/pagerduty',
      PAGERDUTY_REGION: 'eu',
    });
  });

  it('lets the PagerDuty forwarder read its one secret and nothing else (and dead-letter)', () => {
    const s = roleStatements(template, id(stack, pd.role as never));
    const dead = s.find((x) => [x.Action].flat().includes('sqs:SendMessage'))!;
    expect(dead.Resource).toEqual({ 'Fn::GetAtt': [dlq, 'Arn'] });
    expect(actions(s)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    const read = s.find((x) => x.Sid === 'ReadPagerDutyRoutingKey')!;
    expect(JSON.stringify(read.Resource)).toContain(':secret:cpq-monitor/pagerduty-??????');
  });

  it('lets the Chatbot forwarder publish to the Chatbot topic only (and use its key)', () => {
    const s = roleStatements(template, id(stack, chat.role as never));
    expect(actions(s)).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sns:Publish',
      'sqs:SendMessage',
    ]);
    expect(s.find((x) => x.Sid === 'PublishChatNotifications')!.Resource).toEqual({ Ref: chatTopic });
  });

  it('encrypts the Chatbot topic and points the Slack and Teams channels at it, guarded to deny all', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
      DisplayName: 'cpq-monitor chat',
    });
    const guardrail = (p: Resource) => JSON.stringify(p.Properties.GuardrailPolicies);
    const [[, slack]] = ofType(template, 'AWS::Chatbot::SlackChannelConfiguration') as [[string, Resource]];
    expect(slack.Properties).toMatchObject({
      SlackWorkspaceId: 'T07EXAMPLE',
      SlackChannelId: 'C07EXAMPLE',
      SnsTopicArns: [{ Ref: chatTopic }],
      UserRoleRequired: false,
    });
    const [[, teams]] = ofType(template, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration') as [
      [string, Resource],
    ];
    expect(teams.Properties).toMatchObject({
      TeamId: INTEGRATIONS.chatbot.teams.teamId,
      TeamsTenantId: INTEGRATIONS.chatbot.teams.tenantId,
      TeamsChannelId: '19%3Aabcdef0123456789%40thread.tacv2',
      SnsTopicArns: [{ Ref: chatTopic }],
    });
    for (const c of [slack, teams]) expect(guardrail(c)).toContain(`:iam::aws:policy/${CHATBOT_GUARDRAIL}`);
    // The channel role has no policy at all.
    expect(roleStatements(template, id(stack, integ.chatbotRole!))).toEqual([]);
    template.hasOutput('ChatbotTopicArn', { Value: { Ref: chatTopic } });
  });

  it('alarms on the dead-letter queue to the paging topic, linking its runbook', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      AlarmActions: [{ Ref: alertTopic }],
      OKActions: [{ Ref: alertTopic }],
      AlarmDescription: Match.stringLikeRegexp('docs/deploy.md#watchdog-integration-forwarder-failures'),
    });
  });

  it('tells every forwarder where refused messages go and the namespace of their metric', () => {
    for (const f of [pd, chat]) {
      const fn = template.findResources('AWS::Lambda::Function')[id(stack, f.function)] as Resource;
      expect(fn.Properties.Environment.Variables).toMatchObject({
        DEAD_LETTER_QUEUE_URL: { Ref: dlq },
        METRICS_NAMESPACE: inv.monitor.namespace,
      });
    }
  });

  it('alarms on refused messages (IntegrationRejected) to the fallback path when one is configured', () => {
    const fallback = id(stack, stack.alerting.fallback!.topic);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: inv.monitor.namespace,
      MetricName: 'IntegrationRejected',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: fallback }],
      OKActions: [{ Ref: fallback }],
      AlarmDescription: Match.stringLikeRegexp('docs/deploy.md#integration-failures'),
    });
  });

  it('creates only the Chatbot topic (for an existing configuration) when neither Slack nor Teams is given', () => {
    const only = synth(withDeploy(exampleInventory(), (d) => ({ ...d, integrations: { chatbot: {} } })));
    only.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    only.template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
    // The paging topic, the fallback topic (config/example.yaml has one) and the Chatbot topic.
    only.template.resourceCountIs('AWS::SNS::Topic', 3);
    expect(only.stack.integrations.forwarders.pagerduty).toBeUndefined();
  });
});

describe('size and validation', () => {
  it('adds the same resources for 1 appliance and for 120', () => {
    const shape = (esas: number) => {
      const { stack } = synth(fleetInventory(esas, { integrations: INTEGRATIONS }));
      return stack.integrations.node
        .findAll()
        .map((c) => c.node.path.replace(/^[^/]+\//, ''))
        .sort();
    };
    expect(shape(120)).toEqual(shape(1));
  });

  it('refuses a wildcard PagerDuty secret id, naming the field', () => {
    expect(() =>
      synth(fleetInventory(1, { integrations: { pagerduty: { secretId: 'cpq-monitor/*' } } })),
    ).toThrow(
      /deploy\.integrations\.pagerduty\.secretId "cpq-monitor\/\*" is not a Secrets Manager secret name/,
    );
  });

  it.each([
    [{ chatbot: { slack: { workspaceId: 'workspace', channelId: 'C1' } } }, /expected a Slack workspace id/],
    [
      { chatbot: { teams: { teamId: 'x', tenantId: INTEGRATIONS.chatbot.teams.tenantId, channelId: 'c' } } },
      /team id/,
    ],
    [{ pagerduty: { secretId: 'x', region: 'apac' } }, /region/],
    [{ opsgenie: {} }, /opsgenie/],
  ])('refuses bad integration settings (%j)', (integrations, error) => {
    expect(() =>
      parseInventory({ ...exampleInventory(), deploy: { ...exampleInventory().deploy, integrations } }, 'x'),
    ).toThrow(error);
  });

  it('passes cdk-nag with every integration on', () => {
    const file = path.join(tempDir('cpq-integ-'), 'inventory.yaml');
    const doc = parse(readFileSync(EXAMPLE_FILE, 'utf8'));
    doc.deploy.integrations = INTEGRATIONS;
    writeFileSync(file, stringify(doc));
    const app = testApp({ inventory: file });
    const stack = buildCpqMonitorApp(app);
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions'))).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('config/example.yaml', () => {
  it('documents an integrations block that validates once uncommented', () => {
    const lines = readFileSync(EXAMPLE_FILE, 'utf8').split('\n');
    const start = lines.findIndex((l) => l.startsWith('  # integrations:'));
    expect(start).toBeGreaterThan(0);
    const block: string[] = [];
    for (const l of lines.slice(start)) {
      if (!l.startsWith('  # ')) break;
      block.push(`  ${l.slice(4)}`);
    }
    const integrations = parse(block.join('\n')).integrations;
    const inv = withDeploy(exampleInventory(), (d) => ({ ...d, integrations }));
    expect(Object.keys(inv.deploy!.integrations!).sort()).toEqual(['chatbot', 'pagerduty']);
    expect(inv.deploy!.integrations!.chatbot!.teams!.channelId).toBe('19%3Aabcdef0123456789%40thread.tacv2');
  });
});

describe('integrations on, without a fallback path', () => {
  it('alarms on refused messages to the paging topic, whose other subscriptions (e-mail, SMS) get it', () => {
    const inv = withDeploy(exampleInventory(), (d) => {
      const { fallback: _none, ...rest } = d;
      return { ...rest, integrations: INTEGRATIONS };
    });
    const { stack, template } = synth(inv);
    expect(stack.alerting.fallback).toBeUndefined();
    const topic = id(stack, stack.alerting.topic);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IntegrationRejected',
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    });
  });
});
