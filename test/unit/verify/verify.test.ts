/**
 * `cpq-monitor verify` against a mocked AWS (aws-sdk-client-mock at the SDK boundary): a healthy
 * stack passes every line; each line fails on its own when its part of the stack is broken.
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
} from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { CheckLine } from '../../../shared/verify/check';
import type { VerifyClients } from '../../../shared/verify/clients';
import { formatChecklist } from '../../../shared/verify/render';
import { VerifyError, type VerifyOptions, verifyStack } from '../../../shared/verify/verify';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:CpqMonitor-AlertingTopic-1';
const FALLBACK = 'arn:aws:sns:us-east-1:111122223333:CpqMonitor-AlertingFallbackTopic-2';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/CpqMonitor-Failed';
const HEARTBEAT = 'CpqMonitor-probe-heartbeat-missing';
const QUEUE_ALARM = 'CpqMonitor-failed-invocations';
const NOW = new Date('2026-03-02T10:00:00.000Z');

const cfn = mockClient(CloudFormationClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);

function clients(): VerifyClients {
  return {
    cloudformation: new CloudFormationClient({}),
    sns: new SNSClient({}),
    cloudwatch: new CloudWatchClient({}),
    logs: new CloudWatchLogsClient({}),
    lambda: new LambdaClient({}),
    sqs: new SQSClient({}),
  };
}

const OUTPUTS: Record<string, string> = {
  AlertTopicArn: TOPIC,
  FallbackTopicArn: FALLBACK,
  FailureQueueUrl: QUEUE,
  MetricsNamespace: 'CPQMonitor',
  ProbeCycleFunctionName: 'CpqMonitor-ProbeCycleFunction-A',
  SshCycleFunctionName: 'CpqMonitor-SshCycleFunction-B',
  ProbeCycleLogGroupName: '/cpq-monitor/CpqMonitor/probe-cycle',
  SshCycleLogGroupName: '/cpq-monitor/CpqMonitor/ssh-cycle',
  ProbeCycleIntervalMinutes: '1',
  SshCycleIntervalMinutes: '5',
  AlarmRelayLogGroupName: '/cpq-monitor/CpqMonitor/alarm-relay',
};

function stack(outputs = OUTPUTS, status = 'CREATE_COMPLETE') {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'CpqMonitor',
        StackStatus: status as never,
        CreationTime: NOW,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  cfn.on(DescribeStackResourcesCommand).resolves({
    StackResources: [HEARTBEAT, QUEUE_ALARM].map((name) => ({
      LogicalResourceId: name.replace(/-/g, ''),
      PhysicalResourceId: name,
      ResourceType: 'AWS::CloudWatch::Alarm',
      ResourceStatus: 'CREATE_COMPLETE',
      Timestamp: NOW,
    })),
  });
}

const encoder = new TextEncoder();
const summary = (cycle: string, over: Record<string, unknown> = {}) => ({
  Payload: encoder.encode(
    JSON.stringify({
      cycle,
      dryRun: true,
      appliances: 3,
      findings: 0,
      critical: 0,
      probeCodes: cycle === 'probe' ? { ok: 3 } : {},
      readCodes: cycle === 'ssh' ? { ok: 3 } : {},
      wouldNotify: 0,
      skipped: [],
      problems: [],
      durationMs: 1234,
      ...over,
    }),
  ) as never,
  StatusCode: 200,
});

const cycleDone = (index: number, count: number, skipped: string[] = []) => ({
  message: JSON.stringify({ level: 30, msg: 'cycle done', shard: { index, count }, skipped }),
  timestamp: NOW.getTime() - 30_000,
});

/** Every part of the stack working. */
function healthy(): void {
  stack();
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { KmsMasterKeyId: 'arn:aws:kms:...:key/k' } });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({
    Subscriptions: [
      { Protocol: 'email', SubscriptionArn: `${TOPIC}:s1`, TopicArn: TOPIC },
      { Protocol: 'https', SubscriptionArn: `${TOPIC}:s2`, TopicArn: TOPIC },
    ],
  });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: FALLBACK }).resolves({
    Subscriptions: [{ Protocol: 'email', SubscriptionArn: `${FALLBACK}:s3`, TopicArn: FALLBACK }],
  });
  sns.on(PublishCommand).resolves({ MessageId: 'test-message-1' });
  cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
    MetricAlarms: input.AlarmNames.map((AlarmName) => ({
      AlarmName,
      StateValue: 'OK',
      AlarmActions: [FALLBACK],
      AlarmDescription: 'Runbook: docs/deploy.md#watchdog-heartbeat-missing',
    })),
  }));
  cw.on(DescribeAlarmHistoryCommand).resolves({
    AlarmHistoryItems: [
      { HistoryItemType: 'Action', HistorySummary: `Successfully executed action ${FALLBACK}` },
    ],
  });
  cw.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ SampleCount: 3 }] });
  cw.on(SetAlarmStateCommand).resolves({});
  logs.on(FilterLogEventsCommand).callsFake((input: { filterPattern?: string }) => {
    if (input.filterPattern?.includes('cycle done')) return { events: [cycleDone(0, 2), cycleDone(1, 2)] };
    const state = /alarmState = "(\w+)"/.exec(input.filterPattern ?? '')?.[1];
    return {
      events: [{ message: JSON.stringify({ msg: 'alarm relayed', alarm: HEARTBEAT, alarmState: state }) }],
    };
  });
  lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const event = JSON.parse(new TextDecoder().decode(input.Payload)) as { cycle: string };
    return summary(event.cycle);
  });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: {
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    },
  });
}

const OPTIONS: VerifyOptions = {
  stackName: 'CpqMonitor',
  now: () => NOW,
  sleep: () => Promise.resolve(),
  fireTimeoutMs: 30_000,
};

function line(lines: CheckLine[], check: string): CheckLine {
  const found = lines.find((l) => l.check === check);
  if (found === undefined) throw new Error(`no line "${check}" in: ${lines.map((l) => l.check).join(', ')}`);
  return found;
}

beforeEach(() => {
  for (const m of [cfn, sns, cw, logs, lambda, sqs]) m.reset();
  healthy();
});

describe('a healthy stack', () => {
  it('passes every line of the checklist, --fire-alarm included', async () => {
    const result = await verifyStack(clients(), { ...OPTIONS, fireAlarm: true });
    expect(result.lines.filter((l) => l.status !== 'ok')).toEqual([]);
    expect(result.status).toBe('ok');
    expect(result.lines.map((l) => l.check)).toEqual([
      'paging topic',
      'paging topic subscriptions (email)',
      'paging topic subscriptions (https)',
      'test page',
      'fallback topic',
      'fallback topic subscriptions (email)',
      `alarm ${QUEUE_ALARM}`,
      `alarm ${HEARTBEAT}`,
      `fire ${HEARTBEAT} (page)`,
      `fire ${HEARTBEAT} (recovery)`,
      'dry run (probe)',
      'dry run (ssh)',
      'failure queue',
      'heartbeat metric (probe)',
      'shards (probe)',
      'heartbeat metric (ssh)',
      'shards (ssh)',
    ]);
    expect(line(result.lines, 'dry run (probe)').detail).toBe(
      '3 appliances; probes: ok 3; findings 0 (0 critical); would notify 0; 1234 ms',
    );
  });

  it('resolves its own test page after giving the page time to be delivered (same alert id, so PagerDuty closes it)', async () => {
    const order: string[] = [];
    sns.on(PublishCommand).callsFake((input: PublishCommandInput) => {
      order.push(`publish ${input.MessageAttributes?.kind?.StringValue}`);
      return { MessageId: `m-${order.length}` };
    });
    await verifyStack(clients(), {
      ...OPTIONS,
      sleep: (ms) => {
        order.push(`wait ${ms}`);
        return Promise.resolve();
      },
    });
    expect(order.slice(0, 3)).toEqual([
      'publish page',
      expect.stringMatching(/^wait [1-9]\d{3,}$/),
      'publish recovery',
    ]);
    const [page, recovery] = sns
      .commandCalls(PublishCommand)
      .map((c) => c.args[0].input as PublishCommandInput);
    const doc = (i: PublishCommandInput) =>
      JSON.parse(JSON.parse(i.Message!).lambda ?? JSON.parse(i.Message!).default);
    expect(doc(recovery!)).toMatchObject({
      kind: 'recovery',
      state: 'ok',
      alertId: 'fleet/verify_test_page',
    });
    expect(doc(recovery!).alertId).toBe(doc(page!).alertId);
    expect(recovery!.Subject).toMatch(/^TEST /);
    expect(line((await verifyStack(clients(), OPTIONS)).lines, 'test page').detail).toMatch(/resolved/);
  });

  it('publishes the test page exactly as a critical page, TEST in subject and body', async () => {
    await verifyStack(clients(), OPTIONS);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input as PublishCommandInput;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toMatch(/^TEST CRITICAL ALARM fleet verify_test_page: TEST page/);
    expect(input.Subject!.length).toBeLessThan(100);
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      appliance: { DataType: 'String', StringValue: 'fleet' },
      check: { DataType: 'String', StringValue: 'verify_test_page' },
      state: { DataType: 'String', StringValue: 'alarm' },
      kind: { DataType: 'String', StringValue: 'page' },
    });
    const message = JSON.parse(input.Message!) as Record<string, string>;
    expect(message.email).toMatch(/^CRITICAL ALARM: TEST page from cpq-monitor verify/);
    expect(message.sms).toContain('TEST');
  });

  it('sends each dry run to its function, with the named appliances, and fires the heartbeat alarm both ways', async () => {
    await verifyStack(clients(), { ...OPTIONS, fireAlarm: true, appliances: ['esa1'] });
    const events = lambda
      .commandCalls(InvokeCommand)
      .map((c) => [
        c.args[0].input.FunctionName,
        JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)),
      ]);
    expect(events).toEqual([
      ['CpqMonitor-ProbeCycleFunction-A', { cycle: 'probe', dryRun: true, appliances: ['esa1'] }],
      ['CpqMonitor-SshCycleFunction-B', { cycle: 'ssh', dryRun: true, appliances: ['esa1'] }],
    ]);
    expect(
      cw
        .commandCalls(SetAlarmStateCommand)
        .map((c) => [c.args[0].input.AlarmName, c.args[0].input.StateValue]),
    ).toEqual([
      [HEARTBEAT, 'ALARM'],
      [HEARTBEAT, 'OK'],
    ]);
  });

  it('skips the test page with testPage: false and fires nothing without fireAlarm', async () => {
    await verifyStack(clients(), { ...OPTIONS, testPage: false });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(cw).toHaveReceivedCommandTimes(SetAlarmStateCommand, 0);
  });
});

describe('each line fails on its own', () => {
  const cases: {
    name: string;
    check: string;
    status: CheckLine['status'];
    fix: RegExp;
    detail?: RegExp;
    options?: Partial<VerifyOptions>;
    breakIt: () => void;
  }[] = [
    {
      name: 'the topic is gone',
      check: 'paging topic',
      status: 'critical',
      fix: /topic exists/,
      breakIt: () =>
        sns
          .on(GetTopicAttributesCommand, { TopicArn: TOPIC })
          .rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' })),
    },
    {
      name: 'no subscription is confirmed',
      check: 'paging topic subscriptions',
      status: 'critical',
      fix: /confirm each e-mail subscription/,
      breakIt: () =>
        sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({
          Subscriptions: [{ Protocol: 'email', SubscriptionArn: 'PendingConfirmation', TopicArn: TOPIC }],
        }),
    },
    {
      name: 'an e-mail address has not confirmed',
      check: 'paging topic subscriptions (email)',
      status: 'warning',
      detail: /1 confirmed, 1 pending/,
      fix: /click the link/,
      breakIt: () =>
        sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({
          Subscriptions: [
            { Protocol: 'email', SubscriptionArn: `${TOPIC}:s1` },
            { Protocol: 'email', SubscriptionArn: 'PendingConfirmation' },
          ],
        }),
    },
    {
      name: 'the key is disabled',
      check: 'test page',
      status: 'critical',
      detail: /KMSDisabledException/,
      fix: /key is disabled/,
      breakIt: () =>
        sns
          .on(PublishCommand)
          .rejects(Object.assign(new Error('key is disabled'), { name: 'KMSDisabledException' })),
    },
    {
      name: 'publishing is not authorized',
      check: 'test page',
      status: 'critical',
      fix: /Who may publish/,
      breakIt: () =>
        sns
          .on(PublishCommand)
          .rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationErrorException' })),
    },
    {
      name: 'no fallback is configured',
      check: 'fallback topic',
      status: 'warning',
      fix: /deploy\.fallback/,
      breakIt: () => {
        const { FallbackTopicArn: _f, ...rest } = OUTPUTS;
        stack(rest);
      },
    },
    {
      name: 'the fallback subscription is unconfirmed',
      check: 'fallback topic subscriptions',
      status: 'critical',
      fix: /deploy\.fallback address/,
      breakIt: () =>
        sns.on(ListSubscriptionsByTopicCommand, { TopicArn: FALLBACK }).resolves({
          Subscriptions: [{ Protocol: 'email', SubscriptionArn: 'PendingConfirmation' }],
        }),
    },
    {
      name: "an alarm's last action failed",
      check: `alarm ${QUEUE_ALARM}`,
      status: 'critical',
      detail: /Failed to execute action/,
      fix: /topic and key policies/,
      breakIt: () =>
        cw.on(DescribeAlarmHistoryCommand, { AlarmName: QUEUE_ALARM }).resolves({
          AlarmHistoryItems: [
            { HistorySummary: `Failed to execute action ${FALLBACK}. Received error: "not authorized"` },
          ],
        }),
    },
    {
      name: 'an alarm is in ALARM',
      check: `alarm ${HEARTBEAT}`,
      status: 'critical',
      detail: /in ALARM: no datapoints/,
      fix: /docs\/deploy\.md#watchdog-heartbeat-missing/,
      breakIt: () =>
        cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
          MetricAlarms: input.AlarmNames.map((AlarmName) => ({
            AlarmName,
            StateValue: AlarmName === HEARTBEAT ? 'ALARM' : 'OK',
            StateReason: 'no datapoints',
            AlarmDescription: 'Runbook: docs/deploy.md#watchdog-heartbeat-missing',
          })),
        })),
    },
    {
      name: 'the relay does not relay the fired alarm',
      check: `fire ${HEARTBEAT} (page)`,
      status: 'critical',
      detail: /not relayed within 30 s/,
      fix: /alarm relay/,
      options: { fireAlarm: true },
      breakIt: () =>
        logs.on(FilterLogEventsCommand).callsFake((input: { filterPattern?: string }) => ({
          events: input.filterPattern?.includes('cycle done') ? [cycleDone(0, 1)] : [],
        })),
    },
    {
      name: 'the relay cannot publish the fired alarm',
      check: `fire ${HEARTBEAT} (page)`,
      status: 'critical',
      detail:
        /the relay failed to publish it \("alarm not relayed" in \/cpq-monitor\/CpqMonitor\/alarm-relay\)/,
      fix: /alarm relay failed/,
      options: { fireAlarm: true },
      breakIt: () =>
        logs.on(FilterLogEventsCommand).callsFake((input: { filterPattern?: string }) => ({
          events: input.filterPattern?.includes('cycle done')
            ? [cycleDone(0, 1)]
            : [
                {
                  message: JSON.stringify({
                    msg: 'alarm not relayed',
                    alarm: HEARTBEAT,
                    alarmState: 'ALARM',
                  }),
                },
              ],
        })),
    },
    {
      name: 'the fired alarm cannot notify the fallback topic',
      check: `fire ${HEARTBEAT} (recovery)`,
      status: 'critical',
      detail: /direct action: Failed/,
      fix: /fallback topic/,
      options: { fireAlarm: true },
      breakIt: () =>
        cw.on(DescribeAlarmHistoryCommand, { AlarmName: HEARTBEAT }).resolves({
          AlarmHistoryItems: [{ HistorySummary: 'Failed to execute action: KMS key disabled' }],
        }),
    },
    {
      name: 'the probe function fails',
      check: 'dry run (probe)',
      status: 'critical',
      detail: /Unhandled error: ConfigError invalid Lambda environment/,
      fix: /log group/,
      breakIt: () =>
        lambda.on(InvokeCommand, { FunctionName: OUTPUTS.ProbeCycleFunctionName }).resolves({
          FunctionError: 'Unhandled',
          Payload: encoder.encode(
            JSON.stringify({ errorType: 'ConfigError', errorMessage: 'invalid Lambda environment' }),
          ) as never,
        }),
    },
    {
      name: 'the SSH dry run runs out of time',
      check: 'dry run (ssh)',
      status: 'warning',
      detail: /skipped 2/,
      fix: /--appliances/,
      breakIt: () =>
        lambda
          .on(InvokeCommand, { FunctionName: OUTPUTS.SshCycleFunctionName })
          .resolves(summary('ssh', { skipped: ['ssh esa1', 'ssh esa2'] })),
    },
    {
      name: 'failed invocations wait in the queue',
      check: 'failure queue',
      status: 'critical',
      detail: /^2 message/,
      fix: /purge/,
      breakIt: () =>
        sqs.on(GetQueueAttributesCommand).resolves({
          Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '0' },
        }),
    },
    {
      name: 'no heartbeat metric',
      check: 'heartbeat metric (ssh)',
      status: 'critical',
      detail: /no MonitorHeartbeat in CPQMonitor in the last 15 min/,
      fix: /heartbeat missing/,
      breakIt: () =>
        cw
          .on(GetMetricStatisticsCommand, { Dimensions: [{ Name: 'Cycle', Value: 'ssh' }] })
          .resolves({ Datapoints: [] }),
    },
    {
      name: 'one shard is silent (or only skips)',
      check: 'shards (probe)',
      status: 'critical',
      detail: /shard\(s\) 1, 2 of 3 finished no cycle/,
      fix: /named per shard/,
      breakIt: () =>
        logs.on(FilterLogEventsCommand).callsFake((input: { filterPattern?: string }) => ({
          events: input.filterPattern?.includes('cycle done')
            ? [cycleDone(0, 3), cycleDone(1, 3, ['probe esa9'])]
            : [],
        })),
    },
  ];

  it.each(cases)('$name: "$check" is $status with its fix', async (c) => {
    c.breakIt();
    const result = await verifyStack(clients(), { ...OPTIONS, ...c.options });
    const l = line(result.lines, c.check);
    expect(l.status).toBe(c.status);
    expect(l.fix).toMatch(c.fix);
    if (c.detail) expect(l.detail).toMatch(c.detail);
    expect(result.status).toBe(c.status);
  });

  it('cannot start without the stack: a VerifyError (exit 3), not a checklist', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id CpqMonitor does not exist'), { name: 'ValidationError' }),
      );
    await expect(verifyStack(clients(), OPTIONS)).rejects.toThrow(VerifyError);
    await expect(verifyStack(clients(), OPTIONS)).rejects.toThrow(
      /cannot read stack CpqMonitor: ValidationError/,
    );
    stack(OUTPUTS, 'ROLLBACK_COMPLETE');
    await expect(verifyStack(clients(), OPTIONS)).rejects.toThrow('stack CpqMonitor is ROLLBACK_COMPLETE');
  });
});

describe('the checklist as printed', () => {
  it('marks each line and puts the fix under a failed one', () => {
    const text = formatChecklist('CpqMonitor', [
      { check: 'failure queue', status: 'ok', detail: 'empty' },
      { check: 'test page', status: 'critical', detail: 'KMSDisabledException: off', fix: 'enable the key' },
      { check: 'fallback topic', status: 'warning', detail: 'none configured', fix: 'set deploy.fallback' },
    ]);
    expect(text.split('\n')).toEqual([
      'cpq-monitor verify: stack CpqMonitor',
      '',
      '[ok]   failure queue: empty',
      '[FAIL] test page: KMSDisabledException: off',
      '       fix: enable the key',
      '[warn] fallback topic: none configured',
      '       fix: set deploy.fallback',
      '',
      '1 ok, 1 warning(s), 1 failed',
    ]);
  });
});
