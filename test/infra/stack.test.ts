import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { heartbeatWindow, WATCHDOG_ANCHORS } from '../../infra/constructs/watchdog';
import { estimateMonthlyCost } from '../../infra/cost/estimate';
import { HOURS_PER_MONTH, PRICES } from '../../infra/cost/prices';
import type { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import type { Inventory } from '../../shared/inventory';
import { alertTableDefinition } from '../helpers/alert-table';
import { exampleInventory, fleetInventory, scheduleProperties, synth, withDeploy } from './fixtures';

type Resource = { Type: string; Properties: Record<string, unknown> };

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function logicalId(stack: CpqMonitorStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Every statement of every IAM policy in the template, with the policy's roles. */
function statements(template: Template): { roles: unknown; s: Record<string, unknown> }[] {
  return resources(template, 'AWS::IAM::Policy').flatMap(([, r]) =>
    ((r.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement ?? []).map((s) => ({
      roles: r.Properties.Roles,
      s,
    })),
  );
}

function actionsOf(s: Record<string, unknown>): string[] {
  return ([] as string[]).concat(s.Action as string | string[]);
}

describe('stack from config/example.yaml (imported VPC, endpoints on)', () => {
  const inv = exampleInventory();
  const { stack, template } = synth(inv);
  const probe = stack.functions.probe!;
  const ssh = stack.functions.ssh!;
  const fnSg = logicalId(stack, stack.network.securityGroups[0]!);

  it('runs both functions in the inventory subnets with the function security group, ARM64, Node 24', () => {
    const fns = resources(template, 'AWS::Lambda::Function').filter(([, r]) =>
      String(r.Properties.Description).includes(' cycle ('),
    );
    expect(fns).toHaveLength(2);
    for (const [, fn] of fns) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: inv.deploy!.vpc!.subnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [fnSg, 'GroupId'] }],
      });
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.MemorySize).toBe(512);
      expect(fn.Properties.DeadLetterConfig).toEqual({
        TargetArn: { 'Fn::GetAtt': [logicalId(stack, stack.failureQueue.queue), 'Arn'] },
      });
    }
  });

  it('sizes timeouts below the schedule interval and reserves one execution per shard', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('probe cycle'),
      Timeout: 50,
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('ssh cycle'),
      Timeout: 290,
      ReservedConcurrentExecutions: 1,
    });
    // Async failures are not retried (the next cycle is near) and go to the failure queue.
    template.resourcePropertiesCountIs(
      'AWS::Lambda::EventInvokeConfig',
      { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: Match.anyValue() },
      2,
    );
  });

  it('sets the handler environment contract', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          INVENTORY_FILE: '/var/task/inventory.json',
          ALERT_TABLE_NAME: { Ref: logicalId(stack, stack.alerting.table) },
          ALERT_TOPIC_ARN: { Ref: logicalId(stack, stack.alerting.topic) },
          LOG_LEVEL: 'info',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('keeps log groups with the inventory retention', () => {
    // The two cycles' and the alarm relay's.
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 3);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/cpq-monitor/CpqMonitor/ssh-cycle',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalId(stack, probe.logGroup) } },
    });
  });

  it('allows egress only to the appliances on their CPQ and SSH ports, and HTTPS to the endpoints', () => {
    const sg = template.toJSON().Resources[fnSg] as Resource;
    const inline = (sg.Properties.SecurityGroupEgress as Record<string, unknown>[]).map(
      (r) => `${r.CidrIp}:${r.FromPort}-${r.ToPort}/${r.IpProtocol}`,
    );
    expect(inline.sort()).toEqual(
      [
        '10.20.0.10/32:22-22/tcp',
        '10.20.0.10/32:7025-7025/tcp',
        '10.20.1.11/32:22-22/tcp',
        '10.20.1.11/32:7025-7025/tcp',
        '10.20.2.21/32:22-22/tcp',
        '10.20.2.21/32:7025-7025/tcp',
        '10.20.2.22/32:2222-2222/tcp',
        '10.20.2.22/32:7025-7025/tcp',
      ].sort(),
    );
    const separate = resources(template, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties);
    expect(separate).toHaveLength(2);
    const endpointSg = logicalId(stack, stack.network.endpointSecurityGroup!);
    expect(separate).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          GroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
          DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
          FromPort: 443,
          ToPort: 443,
        }),
        expect.objectContaining({
          GroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
          DestinationPrefixListId: 'pl-02cd2c6b',
          FromPort: 443,
          ToPort: 443,
        }),
      ]),
    );
    // Nothing anywhere opens egress to the internet.
    expect(JSON.stringify(template.toJSON())).not.toContain('0.0.0.0/0');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [fnSg, 'GroupId'] },
      FromPort: 443,
    });
  });

  it('creates interface endpoints only for what the functions call (sns, secretsmanager) and a DynamoDB gateway endpoint', () => {
    const eps = resources(template, 'AWS::EC2::VPCEndpoint').map(([, r]) => r.Properties);
    const services = eps.map((e) => {
      const name = JSON.stringify(e.ServiceName);
      return `${e.VpcEndpointType}:${name.match(/\.([a-z]+)"\]\]\}$/)?.[1] ?? name}`;
    });
    expect(services.sort()).toEqual(['Interface:sns', 'Interface:secretsmanager', 'Gateway:dynamodb'].sort());
    for (const e of eps.filter((x) => x.VpcEndpointType === 'Interface')) {
      expect(e.VpcId).toBe(inv.deploy!.vpc!.vpcId);
      expect(e.SubnetIds).toEqual(inv.deploy!.vpc!.subnetIds);
      expect(e.PrivateDnsEnabled).toBe(true);
    }
    expect(eps.find((e) => e.VpcEndpointType === 'Gateway')?.RouteTableIds).toEqual(
      inv.deploy!.vpc!.routeTableIds,
    );
    // The imported VPC is used as is: no VPC, subnet or NAT is created.
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('schedules each cycle at the inventory rate with its shard input', () => {
    const schedules = scheduleProperties(stack);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::CloudFormation::Stack', 1);
    const byCycle = Object.fromEntries(
      schedules.map((s) => {
        const target = s.Target as { Input: string; Arn: unknown; RetryPolicy: unknown };
        return [JSON.parse(target.Input).cycle, { expr: s.ScheduleExpression, target }];
      }),
    );
    expect(byCycle.probe.expr).toBe('rate(1 minute)');
    expect(byCycle.ssh.expr).toBe('rate(5 minutes)');
    const names = inv.appliances.map((a) => a.name);
    expect(JSON.parse(byCycle.probe.target.Input)).toEqual({
      cycle: 'probe',
      shard: { index: 0, count: 1 },
      appliances: names,
    });
    expect(JSON.parse(byCycle.ssh.target.Input).appliances).toEqual(names);
    // The nested stack receives the function ARNs as parameters.
    expect(JSON.stringify(byCycle.probe.target.Arn)).toContain('ProbeCycle');
    expect(JSON.stringify(byCycle.ssh.target.Arn)).toContain('SshCycle');
    expect(byCycle.probe.target.RetryPolicy).toEqual({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it('lets the scheduler invoke exactly the two functions', () => {
    const invoke = statements(template).filter(({ s }) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.s.Resource).toEqual([
      { 'Fn::GetAtt': [logicalId(stack, probe.function), 'Arn'] },
      { 'Fn::GetAtt': [logicalId(stack, ssh.function), 'Arn'] },
    ]);
  });

  it('encrypts the topic with the KMS key (rotated) and lets the functions publish only to it', () => {
    const topic = logicalId(stack, stack.alerting.topic);
    const key = logicalId(stack, stack.alerting.key);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // The two cycle roles and the alarm relay's role.
    const publish = statements(template).filter(({ s }) => actionsOf(s).some((a) => a.startsWith('sns:')));
    expect(publish).toHaveLength(3);
    for (const { s } of publish) {
      expect(actionsOf(s)).toEqual(['sns:Publish']);
      expect(s.Resource).toEqual({ Ref: topic });
    }
    const kms = statements(template).filter(({ s }) => actionsOf(s).some((a) => a.startsWith('kms:')));
    for (const { s } of kms) expect(s.Resource).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
  });

  it('subscribes the inventory e-mail, HTTPS and SMS endpoints, and the fallback address to the fallback topic', () => {
    const topic = { Ref: logicalId(stack, stack.alerting.topic) };
    const fallback = { Ref: logicalId(stack, stack.alerting.fallback!.topic) };
    const subs = resources(template, 'AWS::SNS::Subscription').map(([, r]) => [
      r.Properties.TopicArn,
      r.Properties.Protocol,
      r.Properties.Endpoint,
    ]);
    expect(subs).toHaveLength(4);
    expect(subs).toEqual(
      expect.arrayContaining([
        [topic, 'email', 'mail-oncall@example.com'],
        [topic, 'https', 'https://pager-gateway.example.com/sns'],
        [topic, 'sms', '+15555550123'],
        [fallback, 'email', 'mail-oncall-lead@example.com'],
      ]),
    );
  });

  it('lets only the SSH function read secrets, exactly the named ones', () => {
    const reads = statements(template).filter(({ s }) =>
      actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]!.roles).toEqual([{ Ref: logicalId(stack, ssh.role as never) }]);
    expect(actionsOf(reads[0]!.s)).toEqual(['secretsmanager:GetSecretValue']);
    const arn = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:secret:${name}-??????`,
        ],
      ],
    });
    expect(reads[0]!.s.Resource).toEqual([
      arn('cpq-monitor/ssh/sma1'),
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:cpq-monitor/ssh/esa1-AbCdEf',
      arn('cpq-monitor/ssh/mailcluster1'),
    ]);
  });

  it('grants no CloudWatch API call: metrics leave as EMF lines in the function logs', () => {
    const cw = statements(template).filter(({ s }) =>
      actionsOf(s).some((a: string) => a.startsWith('cloudwatch:')),
    );
    expect(cw).toEqual([]);
  });

  it('keeps alert state in an on-demand table with PITR, a TTL on expiresAt and an index by appliance', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'appliance', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-appliance',
          KeySchema: [{ AttributeName: 'appliance', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const rw = statements(template).filter(({ s }) => actionsOf(s).includes('dynamodb:PutItem'));
    expect(rw).toHaveLength(2);
  });

  it('is the table the DynamoDB store tests create (test/helpers/alert-table.ts)', () => {
    const tables = resources(template, 'AWS::DynamoDB::Table').map(([, r]) => r.Properties);
    expect(tables).toHaveLength(1);
    const { TableName: _name, ...definition } = alertTableDefinition('any');
    const stackTable = tables[0] as Record<string, unknown>;
    expect(Object.fromEntries(Object.keys(definition).map((k) => [k, stackTable[k]]))).toEqual(definition);
  });

  it('sends every watchdog alarm to the fallback topic directly, and the relay alarm to the paging topic too', () => {
    const topic = { Ref: logicalId(stack, stack.alerting.topic) };
    const fallback = { Ref: logicalId(stack, stack.alerting.fallback!.topic) };
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      [
        'CpqMonitor-alarm-relay-failed',
        'CpqMonitor-failed-invocations',
        'CpqMonitor-probe-duration-near-timeout',
        'CpqMonitor-probe-function-errors',
        'CpqMonitor-probe-function-throttled',
        'CpqMonitor-probe-heartbeat-missing',
        'CpqMonitor-probe-pages-failed',
        'CpqMonitor-ssh-duration-near-timeout',
        'CpqMonitor-ssh-function-errors',
        'CpqMonitor-ssh-function-throttled',
        'CpqMonitor-ssh-heartbeat-missing',
        'CpqMonitor-ssh-pages-failed',
        'CpqMonitor-topic-notifications-failed',
      ].sort(),
    );
    for (const a of alarms) {
      const direct = a.AlarmName === 'CpqMonitor-alarm-relay-failed' ? [topic, fallback] : [fallback];
      expect(a.AlarmActions).toEqual(direct);
      expect(a.OKActions).toEqual(direct);
      expect(a.AlarmDescription).toMatch(
        /Runbook: https:\/\/git\.example\.com\/ops\/cpq-monitor\/blob\/main\/docs\/deploy\.md#watchdog-[a-z-]+$/,
      );
    }
  });

  it('links runbook anchors that exist in docs/deploy.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/deploy.md'), 'utf8');
    const slugs = [...doc.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );
    for (const anchor of Object.values(WATCHDOG_ANCHORS)) expect(slugs).toContain(anchor);
  });

  it('treats a missing heartbeat as breaching, per cycle', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-probe-heartbeat-missing',
      Namespace: 'CPQMonitor',
      MetricName: 'MonitorHeartbeat',
      Dimensions: [{ Name: 'Cycle', Value: 'probe' }],
      Statistic: 'SampleCount',
      // Three intervals of one minute, one shard: three heartbeats expected, alarm below two.
      Period: 180,
      EvaluationPeriods: 1,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 2,
      TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-ssh-heartbeat-missing',
      Dimensions: [{ Name: 'Cycle', Value: 'ssh' }],
      Period: 900,
      Threshold: 2,
      TreatMissingData: 'breaching',
    });
  });

  it('counts every shard in the heartbeat alarm, so one silent shard among several fires it', () => {
    // 3 shards x 3 intervals = 9 heartbeats per window; a silent shard leaves 6, under 8.
    expect(heartbeatWindow(1, 3)).toEqual({ periodSeconds: 180, threshold: 8 });
    expect(heartbeatWindow(5, 1)).toEqual({ periodSeconds: 900, threshold: 2 });
    // CloudWatch caps an alarm's period at a day.
    expect(heartbeatWindow(1440, 1)).toEqual({ periodSeconds: 86_400, threshold: 1 });
  });

  it('alarms on errors, throttles, duration near the timeout and queued failures', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-probe-function-errors',
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, probe.function) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-ssh-function-throttled',
      MetricName: 'Throttles',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-probe-duration-near-timeout',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 40_000, // 80% of 50 s
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-failed-invocations',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack, stack.failureQueue.queue), 'QueueName'] },
        },
      ],
    });
  });
});

describe('stack variants', () => {
  it('creates an isolated VPC (no NAT, flow log) when the inventory names none', () => {
    const inv = fleetInventory(2);
    const { stack, template } = synth(inv);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    const subnets = resources(template, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    for (const [, s] of subnets) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
    const fn = resources(template, 'AWS::Lambda::Function')[0]![1];
    expect((fn.Properties.VpcConfig as { SubnetIds: unknown[] }).SubnetIds).toEqual(
      subnets.map(([id]) => ({ Ref: id })),
    );
    expect(stack.network.securityGroups).toHaveLength(1);
  });

  it('places the interface endpoints in one zone with deploy.endpointAzs: 1, the functions still in all', () => {
    const inv = withDeploy(exampleInventory(), (d) => ({ ...d, endpointAzs: 1 }));
    const { template } = synth(inv);
    const interfaces = resources(template, 'AWS::EC2::VPCEndpoint')
      .map(([, r]) => r.Properties)
      .filter((e) => e.VpcEndpointType === 'Interface');
    expect(interfaces).toHaveLength(2);
    for (const e of interfaces) expect(e.SubnetIds).toEqual([inv.deploy!.vpc!.subnetIds[0]]);
    const fn = resources(template, 'AWS::Lambda::Function')[0]![1];
    expect((fn.Properties.VpcConfig as { SubnetIds: unknown[] }).SubnetIds).toEqual(
      inv.deploy!.vpc!.subnetIds,
    );
  });

  it.each([
    ['the example', (d: NonNullable<Inventory['deploy']>) => d],
    ['one endpoint zone', (d: NonNullable<Inventory['deploy']>) => ({ ...d, endpointAzs: 1 })],
  ])('prices exactly the interface endpoint-zones the template creates (%s)', (_label, edit) => {
    const inv = withDeploy(exampleInventory(), edit);
    const zones = resources(synth(inv).template, 'AWS::EC2::VPCEndpoint')
      .map(([, r]) => r.Properties)
      .filter((e) => e.VpcEndpointType === 'Interface')
      .reduce((sum, e) => sum + (e.SubnetIds as unknown[]).length, 0);
    const line = estimateMonthlyCost(inv).lines.find((l) => l.item === 'Interface endpoints')!;
    expect(line.usd).toBeCloseTo(zones * HOURS_PER_MONTH * PRICES.interfaceEndpointAzHour);
  });

  it('needs no Secrets Manager endpoint without SSH appliances', () => {
    const base = exampleInventory();
    const inv = withDeploy(
      { ...base, appliances: base.appliances.map(({ ssh: _ssh, ...a }) => a) as never },
      (d) => d as never,
    );
    const services = resources(synth(inv).template, 'AWS::EC2::VPCEndpoint').map(([, r]) =>
      JSON.stringify(r.Properties.ServiceName),
    );
    expect(services.filter((s) => s.includes('secretsmanager'))).toEqual([]);
    expect(services.filter((s) => s.includes('sns'))).toHaveLength(1);
  });

  it('skips the endpoints when the VPC has a NAT, and then allows HTTPS out for the AWS APIs', () => {
    const inv = withDeploy(exampleInventory(), (d) => ({ ...d, vpc: { ...d.vpc, endpoints: false } }));
    const { stack, template } = synth(inv);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const sg = template.toJSON().Resources[logicalId(stack, stack.network.securityGroups[0]!)] as Resource;
    expect(sg.Properties.SecurityGroupEgress).toEqual(
      expect.arrayContaining([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]),
    );
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  it('splits a large fleet into shards, each its own schedule, with matching reserved concurrency', () => {
    const inv = fleetInventory(119, { shardSize: 50 }); // 120 appliances
    const { stack, template } = synth(inv);
    const inputs = scheduleProperties(stack).map(
      (p) =>
        JSON.parse((p.Target as { Input: string }).Input) as {
          cycle: string;
          shard: { index: number; count: number };
          appliances: string[];
        },
    );
    for (const cycle of ['probe', 'ssh']) {
      const mine = inputs.filter((i) => i.cycle === cycle).sort((a, b) => a.shard.index - b.shard.index);
      expect(mine.map((i) => [i.shard.index, i.shard.count, i.appliances.length])).toEqual([
        [0, 3, 40],
        [1, 3, 40],
        [2, 3, 40],
      ]);
      expect(mine.flatMap((i) => i.appliances)).toEqual(inv.appliances.map((a) => a.name));
    }
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 }, 2);
    // 240 appliance rules over five security groups, all attached to each function.
    expect(stack.network.securityGroups).toHaveLength(5);
    const fn = resources(template, 'AWS::Lambda::Function')[0]![1];
    expect((fn.Properties.VpcConfig as { SecurityGroupIds: unknown[] }).SecurityGroupIds).toHaveLength(5);
    const sgs = template.toJSON().Resources as Record<string, Resource>;
    const ruleCount = stack.network.securityGroups
      .map((sg) => (sgs[logicalId(stack, sg)]!.Properties.SecurityGroupEgress as unknown[]).length)
      .reduce((a, b) => a + b, 0);
    expect(ruleCount).toBe(240);
  });

  it('gives an inventory without SSH settings no SSH function, schedule or alarms', () => {
    const base = exampleInventory();
    const inv = withDeploy(
      { ...base, appliances: base.appliances.map(({ ssh: _ssh, ...a }) => a) as never },
      (d) => d as never,
    );
    const { stack, template } = synth(inv);
    expect(stack.functions.ssh).toBeUndefined();
    // The probe function and the alarm relay.
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(scheduleProperties(stack)).toHaveLength(1);
    // The probe cycle's 5, the topic's delivery failures, the failure queue, the relay.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    expect(
      statements(template).some(({ s }) => actionsOf(s).some((a) => a.startsWith('secretsmanager:'))),
    ).toBe(false);
  });
});
