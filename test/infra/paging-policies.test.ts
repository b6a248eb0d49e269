/**
 * Who may publish to the paging and fallback topics, and encrypt with their keys. The synthesized
 * resource policies are resolved for a sample account and evaluated (allow unless a deny matches;
 * nothing allowed without a matching allow) against every real publisher and against strangers.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { checkEnvironmentSize } from '../../infra/constructs/alarm-relay';
import { POLICY_SIDS } from '../../infra/constructs/alerting';
import type { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import { parseWatchdogCatalog } from '../../shared/alerts/watchdog-alarm';
import { heartbeatAlarmName } from '../../shared/verify/stack';
import { exampleInventory, synth, withDeploy } from './fixtures';

const ACCOUNT = '111122223333';
const STRANGER = '444455556666';
const REGION = 'us-east-1';

type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
};

/** CloudFormation values resolved the way a deployment in ACCOUNT/REGION would. */
function resolver(template: Template) {
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) {
      const ref = o.Ref as string;
      if (ref === 'AWS::AccountId') return ACCOUNT;
      if (ref === 'AWS::Region') return REGION;
      if (ref === 'AWS::Partition') return 'aws';
      if (resources[ref]?.Type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${ref}`;
      return ref;
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      if (resources[id]?.Type === 'AWS::IAM::Role' && attr === 'Arn')
        return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      if (resources[id]?.Type === 'AWS::KMS::Key' && attr === 'Arn') {
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
      }
      return `${id}.${attr}`;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

/** One request against a resource policy. */
interface Request {
  principal: { AWS: string } | { Service: string } | '*';
  action: string;
  secure?: boolean;
  sourceAccount?: string;
  sourceArn?: string;
}

const list = (v: unknown): string[] => (v === undefined ? [] : ([] as string[]).concat(v as string));
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

function principalMatches(p: unknown, r: Request): boolean {
  if (p === '*') return true;
  const o = p as { AWS?: unknown; Service?: unknown };
  if (o.AWS !== undefined && list(o.AWS).includes('*')) return true;
  if (r.principal === '*') return false;
  if ('AWS' in r.principal) {
    const arn = r.principal.AWS;
    const account = arn.split(':')[4];
    return list(o.AWS).some((a) => a === arn || a === `arn:aws:iam::${account}:root`);
  }
  return list(o.Service).includes(r.principal.Service);
}

function conditionsHold(c: Statement['Condition'], r: Request): boolean {
  const keys: Record<string, string | undefined> = {
    'aws:SourceAccount': r.sourceAccount,
    'aws:SourceArn': r.sourceArn,
    'aws:SecureTransport': String(r.secure ?? true),
  };
  for (const [op, entries] of Object.entries(c ?? {})) {
    for (const [key, want] of Object.entries(entries)) {
      const have = keys[key];
      if (have === undefined) return false;
      const wants = list(want);
      if (op === 'StringEquals' || op === 'Bool') {
        if (!wants.includes(have)) return false;
      } else if (op === 'ArnLike' || op === 'StringLike' || op === 'ArnEquals') {
        if (!wants.some((w) => glob(w, have))) return false;
      } else {
        throw new Error(`condition operator ${op} not modelled by this test`);
      }
    }
  }
  return true;
}

function actionMatches(actions: string | string[], action: string): boolean {
  return list(actions).some((a) => glob(a.toLowerCase(), action.toLowerCase()));
}

/** Allowed by the resource policy alone: an allow matches and no deny does. */
function allows(statements: Statement[], r: Request): boolean {
  const matching = statements.filter(
    (s) =>
      principalMatches(s.Principal, r) && actionMatches(s.Action, r.action) && conditionsHold(s.Condition, r),
  );
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function topicPolicy(template: Template, stack: CpqMonitorStack, topicRef: string): Statement[] {
  const resolve = resolver(template);
  const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as {
    Properties: { Topics: unknown[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  const mine = policies.filter((p) =>
    (p.Properties.Topics as { Ref: string }[]).some((t) => t.Ref === topicRef),
  );
  expect(mine).toHaveLength(1);
  void stack;
  return resolve(mine[0]!.Properties.PolicyDocument.Statement) as Statement[];
}

function keyPolicy(template: Template, keyId: string): Statement[] {
  const key = template.toJSON().Resources[keyId] as { Properties: { KeyPolicy: { Statement: Statement[] } } };
  return resolver(template)(key.Properties.KeyPolicy.Statement) as Statement[];
}

const role = (stack: CpqMonitorStack, r: { node: { defaultChild?: unknown } }) =>
  `arn:aws:iam::${ACCOUNT}:role/${stack.getLogicalId(r.node.defaultChild as never)}`;
const alarmArn = (account: string, name: string) => `arn:aws:cloudwatch:${REGION}:${account}:alarm:${name}`;
const cloudWatch = { Service: 'cloudwatch.amazonaws.com' } as const;

describe('paging topic and key policies (config/example.yaml, fallback configured)', () => {
  const { stack, template } = synth(exampleInventory());
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const topic = topicPolicy(template, stack, id(stack.alerting.topic));
  const fallback = topicPolicy(template, stack, id(stack.alerting.fallback!.topic));
  const key = keyPolicy(template, id(stack.alerting.key));
  const fallbackKey = keyPolicy(template, id(stack.alerting.fallback!.key));
  const publishers = [
    role(stack, stack.functions.probe!.role as never),
    role(stack, stack.functions.ssh!.role as never),
    role(stack, stack.watchdog.relay.role as never),
  ];
  const ownAlarm = alarmArn(ACCOUNT, 'CpqMonitor-probe-heartbeat-missing');

  it('lets the cycle roles and the alarm relay publish to the paging topic, over TLS only', () => {
    for (const arn of publishers) {
      expect(allows(topic, { principal: { AWS: arn }, action: 'sns:Publish' })).toBe(true);
      expect(allows(topic, { principal: { AWS: arn }, action: 'sns:Publish', secure: false })).toBe(false);
      // Publishing is all they may do through the topic policy.
      expect(allows(topic, { principal: { AWS: arn }, action: 'sns:Subscribe' })).toBe(false);
    }
  });

  it("lets this account's watchdog alarms publish to both topics and encrypt with both keys", () => {
    const r = { principal: cloudWatch, sourceAccount: ACCOUNT, sourceArn: ownAlarm };
    for (const policy of [topic, fallback])
      expect(allows(policy, { ...r, action: 'sns:Publish' })).toBe(true);
    for (const policy of [key, fallbackKey]) {
      expect(allows(policy, { ...r, action: 'kms:GenerateDataKey' })).toBe(true);
      expect(allows(policy, { ...r, action: 'kms:Decrypt' })).toBe(true);
      // Nothing else of the key: CloudWatch cannot, say, schedule its deletion.
      expect(allows(policy, { ...r, action: 'kms:ScheduleKeyDeletion' })).toBe(false);
    }
  });

  it("refuses a stranger account's alarms, alarms outside the stack's names, and CloudWatch without a source", () => {
    const refused: Request[] = [
      {
        principal: cloudWatch,
        action: '',
        sourceAccount: STRANGER,
        sourceArn: alarmArn(STRANGER, 'CpqMonitor-x'),
      },
      // A stranger's alarm claiming this account's number in SourceAccount still fails on SourceArn.
      {
        principal: cloudWatch,
        action: '',
        sourceAccount: ACCOUNT,
        sourceArn: alarmArn(STRANGER, 'CpqMonitor-x'),
      },
      {
        principal: cloudWatch,
        action: '',
        sourceAccount: ACCOUNT,
        sourceArn: alarmArn(ACCOUNT, 'SomeOtherApp-cpu'),
      },
      { principal: cloudWatch, action: '' },
    ];
    for (const r of refused) {
      for (const policy of [topic, fallback])
        expect(allows(policy, { ...r, action: 'sns:Publish' })).toBe(false);
      for (const policy of [key, fallbackKey]) {
        expect(allows(policy, { ...r, action: 'kms:GenerateDataKey' })).toBe(false);
      }
    }
  });

  it('refuses anyone else: a stranger account, anonymous callers, other services', () => {
    const strangers: Request['principal'][] = [
      { AWS: `arn:aws:iam::${STRANGER}:role/attacker` },
      { AWS: `arn:aws:iam::${STRANGER}:root` },
      '*',
      { Service: 'events.amazonaws.com' },
      { Service: 'sns.amazonaws.com' },
    ];
    for (const principal of strangers) {
      for (const policy of [topic, fallback]) {
        expect(allows(policy, { principal, action: 'sns:Publish', sourceAccount: ACCOUNT })).toBe(false);
      }
      for (const policy of [key, fallbackKey]) {
        expect(allows(policy, { principal, action: 'kms:Decrypt', sourceAccount: ACCOUNT })).toBe(false);
      }
    }
  });

  it('keeps the cycle roles off the fallback topic: it must not depend on what pages through the main one', () => {
    for (const arn of publishers) {
      expect(allows(fallback, { principal: { AWS: arn }, action: 'sns:Publish' })).toBe(false);
    }
  });

  it('holds no allow for "*" without a condition, and only the expected statements', () => {
    for (const policy of [topic, fallback, key, fallbackKey]) {
      for (const s of policy.filter((x) => x.Effect === 'Allow')) {
        const anyone = s.Principal === '*' || list((s.Principal as { AWS?: unknown }).AWS).includes('*');
        expect(anyone).toBe(false);
        if ((s.Principal as { Service?: unknown }).Service !== undefined) {
          expect(s.Condition).toEqual({
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:CpqMonitor-*` },
          });
        }
      }
    }
    const sids = (p: Statement[]) => p.map((s) => s.Sid ?? s.Effect).sort();
    expect(sids(topic)).toEqual(
      [POLICY_SIDS.cloudWatchPublish, POLICY_SIDS.rolesPublish, expect.any(String)].sort(),
    );
    // The TLS-only deny is still there on both topics.
    for (const policy of [topic, fallback]) {
      expect(policy.filter((s) => s.Effect === 'Deny')).toEqual([
        expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]);
    }
    // Key policies: the account (so IAM policies can grant use of the key) and CloudWatch.
    for (const policy of [key, fallbackKey]) {
      const principals = policy.map((s) => s.Principal);
      expect(principals).toEqual(
        expect.arrayContaining([
          { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          { Service: 'cloudwatch.amazonaws.com' },
        ]),
      );
      expect(principals).toHaveLength(2);
    }
  });
});

describe('without deploy.fallback', () => {
  it('creates no fallback topic or key, and the alarms then have no direct action but the relay alarm', () => {
    const { stack, template } = synth(
      withDeploy(exampleInventory(), ({ fallback: _fallback, ...d }) => d as Record<string, unknown>),
    );
    expect(stack.alerting.fallback).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmName: string; AlarmActions?: unknown[] };
    }[];
    const direct = alarms.filter((a) => (a.Properties.AlarmActions ?? []).length > 0);
    expect(direct.map((a) => a.Properties.AlarmName)).toEqual(['CpqMonitor-alarm-relay-failed']);
  });
});

describe('watchdog alarms reach the pager with attributes (relay) and without it (fallback)', () => {
  const { stack, template } = synth(exampleInventory());
  const relay = stack.watchdog.relay;
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const relayFn = template.toJSON().Resources[id(relay.function)] as {
    Properties: { Environment: { Variables: Record<string, unknown> }; VpcConfig?: unknown };
  };
  const catalog = parseWatchdogCatalog(relayFn.Properties.Environment.Variables.WATCHDOG_ALARMS as string);
  const alarmNames = (
    Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { AlarmName: string } }[]
  ).map((a) => a.Properties.AlarmName);

  it('relays every watchdog alarm but its own, with a check and severity each', () => {
    expect(Object.keys(catalog).sort()).toEqual(
      alarmNames.filter((n) => n !== 'CpqMonitor-alarm-relay-failed').sort(),
    );
    expect(catalog['CpqMonitor-probe-heartbeat-missing']).toEqual({
      check: 'watchdog_probe_heartbeat_missing',
      severity: 'critical',
      anchor: 'watchdog-heartbeat-missing',
    });
    expect(catalog['CpqMonitor-ssh-pages-failed']?.severity).toBe('critical');
    expect(alarmNames).toContain(heartbeatAlarmName('CpqMonitor', 'probe'));
    expect(alarmNames).toContain(heartbeatAlarmName('CpqMonitor', 'ssh'));
  });

  it('feeds the relay from an EventBridge rule on exactly those alarms, failures to the failure queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: Object.keys(catalog), state: { value: ['ALARM', 'OK'] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id(relay.function), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(stack.failureQueue.queue), 'Arn'] } },
        }),
      ],
    });
    // Outside the VPC: a broken endpoint or security group must not silence the watchdog too.
    expect(relayFn.Properties.VpcConfig).toBeUndefined();
    expect(relayFn.Properties.Environment.Variables.ALERT_TOPIC_ARN).toEqual({
      Ref: id(stack.alerting.topic),
    });
  });

  it('alarms on PagesFailed per cycle and on the topic failing to deliver', () => {
    for (const cycle of ['probe', 'ssh']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `CpqMonitor-${cycle}-pages-failed`,
        Namespace: 'CPQMonitor',
        MetricName: 'PagesFailed',
        Dimensions: [{ Name: 'Cycle', Value: cycle }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'CpqMonitor-topic-notifications-failed',
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [id(stack.alerting.topic), 'TopicName'] } }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('fails synth when the relay environment would pass Lambda 4 KB', () => {
    expect(() => checkEnvironmentSize({ RUNBOOK_URL: 'x'.repeat(4100) })).toThrow(/above Lambda's 4096/);
    expect(() => checkEnvironmentSize({ RUNBOOK_URL: 'x'.repeat(3000) })).not.toThrow();
  });
});
