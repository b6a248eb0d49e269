// Preloaded into a spawned `cpq-monitor` (`node --require THIS bin/cpq-monitor.js verify ...`): a
// deployed, healthy stack answered by aws-sdk-client-mock at the SDK boundary, inside the command's
// own process, so the built binary runs as a user runs it and no request leaves the machine.
// Any command this stack does not answer is refused, never sent. DynamoDB is deliberately not
// mocked: the stack's AlertTableName output names a table that a test serves from a real engine
// (dynalite on 127.0.0.1, reached through AWS_ENDPOINT_URL_DYNAMODB), so `silence`, `ack` and
// `alerts` read and write real items.
//
// CPQ_TEST_STACK: the stack name that exists (any other is "does not exist", as CloudFormation says).
// CPQ_TEST_AWS_CALLS: a file that receives one JSON line per call ({ command, input }).
const { appendFileSync } = require('node:fs');
const { mockClient } = require('aws-sdk-client-mock');
const cfn = require('@aws-sdk/client-cloudformation');
const cw = require('@aws-sdk/client-cloudwatch');
const logs = require('@aws-sdk/client-cloudwatch-logs');
const lambda = require('@aws-sdk/client-lambda');
const sns = require('@aws-sdk/client-sns');
const sqs = require('@aws-sdk/client-sqs');
const sts = require('@aws-sdk/client-sts');

const STACK = process.env.CPQ_TEST_STACK ?? 'CpqMonitor';
const ARN = 'arn:aws:sns:us-east-1:111122223333';
const TOPIC = `${ARN}:${STACK}-AlertingTopic-1`;
const FALLBACK = `${ARN}:${STACK}-AlertingFallbackTopic-2`;
const QUEUE = `https://sqs.us-east-1.amazonaws.com/111122223333/${STACK}-Failed`;
const ALARMS = [`${STACK}-probe-heartbeat-missing`, `${STACK}-failed-invocations`];
const OUTPUTS = {
  AlertTopicArn: TOPIC,
  FallbackTopicArn: FALLBACK,
  FailureQueueUrl: QUEUE,
  MetricsNamespace: 'CPQMonitor',
  ProbeCycleFunctionName: `${STACK}-ProbeCycleFunction-A`,
  SshCycleFunctionName: `${STACK}-SshCycleFunction-B`,
  ProbeCycleLogGroupName: `/cpq-monitor/${STACK}/probe-cycle`,
  SshCycleLogGroupName: `/cpq-monitor/${STACK}/ssh-cycle`,
  ProbeCycleIntervalMinutes: '1',
  SshCycleIntervalMinutes: '5',
  AlarmRelayLogGroupName: `/cpq-monitor/${STACK}/alarm-relay`,
  AlertTableName: `${STACK}-AlertingAlertState1234-ABCD`,
};
/** Who the operator is, as STS says (`silence` and `ack` record it as the author). */
const CALLER = 'arn:aws:sts::111122223333:assumed-role/CpqMonitorOperators/dana';

/** A client whose every command is refused unless answered below; each call is recorded. */
function stub(Client, service) {
  const mock = mockClient(Client);
  mock.onAnyCommand().callsFake((input) => {
    throw new Error(`${service}: this command is not answered by the test stack (${JSON.stringify(input)})`);
  });
  return mock;
}

function record(command, input) {
  const file = process.env.CPQ_TEST_AWS_CALLS;
  if (file) appendFileSync(file, `${JSON.stringify({ command, input })}\n`);
}

/** Answers `Command` with `answer(input)` and records the call. */
function on(mock, Command, answer) {
  mock.on(Command).callsFake((input) => {
    record(Command.name, input);
    return answer(input);
  });
}

const cfnMock = stub(cfn.CloudFormationClient, 'CloudFormation');
on(cfnMock, cfn.DescribeStacksCommand, (input) => {
  if (input.StackName !== STACK) {
    const err = new Error(`Stack with id ${input.StackName} does not exist`);
    err.name = 'ValidationError';
    throw err;
  }
  return {
    Stacks: [
      {
        StackName: STACK,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
});
on(cfnMock, cfn.DescribeStackResourcesCommand, () => ({
  StackResources: ALARMS.map((name) => ({
    LogicalResourceId: name.replace(/-/g, ''),
    PhysicalResourceId: name,
    ResourceType: 'AWS::CloudWatch::Alarm',
    ResourceStatus: 'CREATE_COMPLETE',
    Timestamp: new Date(),
  })),
}));

const snsMock = stub(sns.SNSClient, 'SNS');
on(snsMock, sns.GetTopicAttributesCommand, () => ({ Attributes: { KmsMasterKeyId: 'alias/cpq-monitor' } }));
on(snsMock, sns.ListSubscriptionsByTopicCommand, (input) => ({
  Subscriptions: [{ Protocol: 'email', SubscriptionArn: `${input.TopicArn}:s1`, TopicArn: input.TopicArn }],
}));
on(snsMock, sns.PublishCommand, () => ({ MessageId: 'test-message-1' }));

const cwMock = stub(cw.CloudWatchClient, 'CloudWatch');
on(cwMock, cw.DescribeAlarmsCommand, (input) => ({
  MetricAlarms: input.AlarmNames.map((AlarmName) => ({
    AlarmName,
    StateValue: 'OK',
    AlarmActions: [FALLBACK],
    AlarmDescription: 'Runbook: docs/deploy.md#watchdog-heartbeat-missing',
  })),
}));
on(cwMock, cw.DescribeAlarmHistoryCommand, () => ({
  AlarmHistoryItems: [
    { HistoryItemType: 'Action', HistorySummary: `Successfully executed action ${FALLBACK}` },
  ],
}));
on(cwMock, cw.SetAlarmStateCommand, () => ({}));
on(cwMock, cw.GetMetricStatisticsCommand, () => ({ Datapoints: [{ SampleCount: 3 }] }));

const logsMock = stub(logs.CloudWatchLogsClient, 'CloudWatch Logs');
// The cycles' "cycle done" lines of both shards, and the alarm relay's line for a fired alarm.
on(logsMock, logs.FilterLogEventsCommand, (input) => {
  const state = /alarmState = "(\w+)"/.exec(input.filterPattern ?? '')?.[1];
  if (state !== undefined) {
    return {
      events: [{ message: JSON.stringify({ msg: 'alarm relayed', alarm: ALARMS[0], alarmState: state }) }],
    };
  }
  return {
    events: [0, 1].map((index) => ({
      message: JSON.stringify({ level: 30, msg: 'cycle done', shard: { index, count: 2 }, skipped: [] }),
      timestamp: Date.now() - 30_000,
    })),
  };
});

const lambdaMock = stub(lambda.LambdaClient, 'Lambda');
on(lambdaMock, lambda.InvokeCommand, (input) => {
  const { cycle } = JSON.parse(new TextDecoder().decode(input.Payload));
  const summary = {
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
  };
  return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(summary)) };
});

const sqsMock = stub(sqs.SQSClient, 'SQS');
on(sqsMock, sqs.GetQueueAttributesCommand, () => ({
  Attributes: {
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
    ApproximateNumberOfMessagesDelayed: '0',
  },
}));

const stsMock = stub(sts.STSClient, 'STS');
on(stsMock, sts.GetCallerIdentityCommand, () => ({
  Account: '111122223333',
  Arn: CALLER,
  UserId: 'AROAEXAMPLE:dana',
}));
