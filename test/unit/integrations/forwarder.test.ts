import { PassThrough } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  forwarderConfigFromEnv,
  forwarderFor,
  handleForwarderEvent,
} from '../../../functions/forwarder-runtime';
import { ConfigError } from '../../../shared/errors';
import { ChatbotPublishError, chatbotProblems } from '../../../shared/integrations/chatbot';
import { NewerDocumentError } from '../../../shared/integrations/forward';
import { INTEGRATIONS } from '../../../shared/integrations/registry';
import { createLogger } from '../../../shared/log';
import { alarmMessage, incident, lambdaMessage } from './fixtures';

const CHATBOT_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:CpqMonitor-Chatbot';
const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

const clients = () => ({
  sns: new SNSClient({ region: 'eu-west-1' }),
  secretsManager: new SecretsManagerClient({}),
});
const quiet = () => createLogger('test', new PassThrough());
const event = (Message: string) => ({ Records: [{ Sns: { MessageId: 'm-1', Message } }] }) as never;

describe('forwarder configuration', () => {
  it('takes a Chatbot topic or a PagerDuty secret, and names what is wrong otherwise', () => {
    expect(forwarderConfigFromEnv({ FORWARD_TO: 'chatbot', CHATBOT_TOPIC_ARN: CHATBOT_TOPIC })).toEqual({
      FORWARD_TO: 'chatbot',
      CHATBOT_TOPIC_ARN: CHATBOT_TOPIC,
    });
    expect(
      forwarderConfigFromEnv({ FORWARD_TO: 'pagerduty', PAGERDUTY_SECRET_ID: 'cpq-monitor/pagerduty' }),
    ).toEqual({
      FORWARD_TO: 'pagerduty',
      PAGERDUTY_SECRET_ID: 'cpq-monitor/pagerduty',
      PAGERDUTY_REGION: 'us',
    });
    expect(() => forwarderConfigFromEnv({ FORWARD_TO: 'chatbot', CHATBOT_TOPIC_ARN: 'nope' })).toThrow(
      /CHATBOT_TOPIC_ARN: expected an SNS topic ARN/,
    );
    expect(() => forwarderConfigFromEnv({ FORWARD_TO: 'slack' })).toThrow(
      /invalid Lambda environment: FORWARD_TO/,
    );
  });
});

describe('Chatbot forwarder', () => {
  const forward = forwarderFor({ FORWARD_TO: 'chatbot', CHATBOT_TOPIC_ARN: CHATBOT_TOPIC }, clients());

  it('publishes each notification of an incident to the Chatbot topic as a valid custom notification', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'x' });
    for (const n of incident()) {
      await handleForwarderEvent(event(lambdaMessage(n)), { awsRequestId: 'r' }, 'chatbot', forward, quiet());
    }
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(4);
    for (const c of calls) {
      expect(c.args[0].input.TopicArn).toBe(CHATBOT_TOPIC);
      // A plain message (no per-protocol structure): Chatbot reads it as it is.
      expect(c.args[0].input.MessageStructure).toBeUndefined();
      expect(chatbotProblems(JSON.parse(c.args[0].input.Message!))).toEqual([]);
    }
    expect(JSON.parse(calls[3]!.args[0].input.Message!).content.title).toMatch(/^RECOVERED esa1 /);
  });

  it('renders watchdog alarms too', async () => {
    sns.on(PublishCommand).resolves({});
    await handleForwarderEvent(
      event(alarmMessage('ALARM')),
      { awsRequestId: 'r' },
      'chatbot',
      forward,
      quiet(),
    );
    expect(JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!).content.title).toBe(
      'ALARM CpqMonitor-ProbeHeartbeatMissing',
    );
  });

  it('throws when SNS refuses, so Lambda retries the event and then dead-letters it', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    await expect(
      handleForwarderEvent(
        event(lambdaMessage(incident()[0]!)),
        { awsRequestId: 'r' },
        'chatbot',
        forward,
        quiet(),
      ),
    ).rejects.toThrow(ChatbotPublishError);
  });
});

describe('the integration registry', () => {
  it.each(Object.entries(INTEGRATIONS))('lists %s under its own name', (name, integration) => {
    expect(integration.name).toBe(name);
  });

  it.each([
    ['chatbot', /CHATBOT_TOPIC_ARN: /],
    ['pagerduty', /PAGERDUTY_SECRET_ID: /],
  ])('has %s check its own variables, naming the missing one', (name, variable) => {
    expect(() => forwarderConfigFromEnv({ FORWARD_TO: name })).toThrow(variable);
    expect(() => forwarderConfigFromEnv({ FORWARD_TO: name })).toThrow(ConfigError);
  });
});

describe('a document from a newer cycle', () => {
  it('is thrown back for Lambda to retry (then dead-letter), not trimmed and sent', async () => {
    // Prepare: a field this forwarder does not know, as a newer cycle might add.
    sns.on(PublishCommand).resolves({});
    const forward = forwarderFor({ FORWARD_TO: 'chatbot', CHATBOT_TOPIC_ARN: CHATBOT_TOPIC }, clients());
    const newer = JSON.stringify({ ...JSON.parse(lambdaMessage(incident()[0]!)), acknowledgedBy: 'alice' });
    // Act
    const run = handleForwarderEvent(event(newer), { awsRequestId: 'r' }, 'chatbot', forward, quiet());
    // Assess
    await expect(run).rejects.toThrow(NewerDocumentError);
    await expect(run).rejects.toThrow(/newer version .*acknowledgedBy/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
