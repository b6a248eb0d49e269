/**
 * The PagerDuty forwarder against a local HTTPS server that answers as the Events API v2 does
 * (202 accepted, 400 invalid event, 429 throttled, 500), with a certificate from the lab CA.
 * Secrets Manager is mocked at the SDK boundary; the handler logs into a captured stream.
 */
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { createServer, type Server } from 'node:tls';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { deadLetterRejected, handleForwarderEvent } from '../../../functions/forwarder-runtime';
import { createLabCertificates, type LabCertificates } from '../../../lab/certs';
import { forwardMessage } from '../../../shared/integrations/forward';
import {
  PagerDutyRetryableError,
  type PagerDutyTarget,
  pagerDuty,
} from '../../../shared/integrations/pagerduty';
import { routingKeyReader } from '../../../shared/integrations/routing-key';
import { createLogger } from '../../../shared/log';
import { alarmMessage, incident, lambdaMessage, notification } from '../../unit/integrations/fixtures';

const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const SECRET_ID = 'cpq-monitor/pagerduty';

/** What the fake Events API answers next: status, JSON body, headers. */
type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang-up';

/** A minimal HTTP/1.1 server over TLS: records each request's JSON body, answers from a script. */
class FakeEventsApi {
  readonly received: Record<string, unknown>[] = [];
  readonly answers: Answer[] = [];
  private server!: Server;
  url = '';

  async start(certs: LabCertificates): Promise<void> {
    this.server = createServer({ cert: certs.healthy.certPem, key: certs.healthy.keyPem }, (socket) => {
      let buf = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        this.received.push(JSON.parse(buf.subarray(end + 4, end + 4 + length).toString('utf8')));
        const answer = this.answers.shift() ?? {
          status: 202,
          body: { status: 'success', message: 'Event processed' },
        };
        if (answer === 'hang-up') return void socket.destroy();
        const body = JSON.stringify(answer.body);
        const extra = Object.entries(answer.headers ?? {})
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        socket.end(
          `HTTP/1.1 ${answer.status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
        );
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2/enqueue`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sm = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/cpq-forwarder-failures';
let certs: LabCertificates;
let api: FakeEventsApi;

beforeAll(async () => {
  certs = await createLabCertificates();
  api = new FakeEventsApi();
  await api.start(certs);
});
afterAll(() => api.stop());
beforeEach(() => {
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({
    SecretString: JSON.stringify({ routingKey: KEY }),
  });
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  api.received.length = 0;
  api.answers.length = 0;
});

function target(): PagerDutyTarget {
  return {
    url: api.url,
    ca: certs.ca.certPem,
    timeoutMs: 5000,
    notFoundDelayMs: 0,
    routingKey: routingKeyReader(new SecretsManagerClient({ region: 'eu-west-1' }), SECRET_ID),
  };
}

function snsEvent(...messages: string[]): SNSEvent {
  return {
    Records: messages.map((Message, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts:sub',
      Sns: {
        Type: 'Notification',
        MessageId: `m-${i}`,
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:cpq-alerts',
        Subject: null as unknown as string,
        Message,
        Timestamp: '2026-03-02T10:01:00.000Z',
        SignatureVersion: '1',
        Signature: '',
        SigningCertUrl: '',
        UnsubscribeUrl: '',
        MessageAttributes: {},
      },
    })),
  };
}

/** A logger writing into a string, to look at what a handler logged. */
function capturedLogger() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { logger: createLogger('test-forwarder', stream), text: () => text };
}

describe('PagerDuty forwarder against a local Events API', () => {
  it('opens one incident for page, reminder and escalation, and resolves it with the recovery (same dedup_key)', async () => {
    // Prepare
    const t = target();
    // Act
    const outcomes = [];
    for (const n of incident()) outcomes.push(await forwardMessage(lambdaMessage(n), pagerDuty, t));
    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(api.received.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'trigger', 'resolve']);
    expect(new Set(api.received.map((e) => e.dedup_key))).toEqual(
      new Set(['esa1/outbound_ciphers_allow_anonymous']),
    );
    expect(api.received.every((e) => e.routing_key === KEY)).toBe(true);
    expect((api.received[2]!.payload as { severity: string }).severity).toBe('critical');
    // The secret is read once, not per message.
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('triggers and resolves a watchdog alarm on one key, and sends nothing for INSUFFICIENT_DATA', async () => {
    const t = target();
    const outcomes = [
      await forwardMessage(alarmMessage('ALARM'), pagerDuty, t),
      await forwardMessage(alarmMessage('INSUFFICIENT_DATA'), pagerDuty, t),
      await forwardMessage(alarmMessage('OK'), pagerDuty, t),
    ];
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'skipped', 'sent']);
    expect(api.received.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(api.received[0]!.dedup_key).toBe(api.received[1]!.dedup_key);
  });

  it('on 400 logs a clear error record and drops the message (no retry), without the routing key', async () => {
    // Prepare: PagerDuty echoes what it did not like, here including the key.
    api.answers.push({
      status: 400,
      body: {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [`Invalid routing key ${KEY}`],
      },
    });
    const { logger, text } = capturedLogger();
    const forward = (m: string) => forwardMessage(m, pagerDuty, target());
    // Act
    const totals = await handleForwarderEvent(
      snsEvent(lambdaMessage(notification())),
      { awsRequestId: 'r1' },
      'pagerduty',
      forward,
      logger,
    );
    // Assess
    expect(totals).toEqual({ sent: 0, skipped: 0, rejected: 1 });
    const record = JSON.parse(text().trim().split('\n').at(-1)!);
    expect(record).toMatchObject({
      level: 50,
      status: 'rejected',
      destination: 'pagerduty',
      what: 'page esa1/outbound_ciphers_allow_anonymous#1',
      messageId: 'm-0',
      errors: ['Invalid routing key [routing key]'],
    });
    expect(record.reason).toContain('PagerDuty refused the trigger (HTTP 400): Event object is invalid');
    expect(text()).not.toContain(KEY);
  });

  it('retries a 404 a bounded number of times, then rejects the event', async () => {
    for (let i = 0; i < 10; i++) api.answers.push({ status: 404, body: { message: 'Not Found' } });
    const outcome = await forwardMessage(lambdaMessage(notification()), pagerDuty, target());
    expect(outcome).toMatchObject({ status: 'rejected' });
    expect((outcome as { reason: string }).reason).toMatch(/HTTP 404.*after 3 attempts/);
    expect(api.received).toHaveLength(3);
  });

  it('sends a 404 that clears within its retries', async () => {
    api.answers.push({ status: 404, body: { message: 'Not Found' } });
    const outcome = await forwardMessage(lambdaMessage(notification()), pagerDuty, target());
    expect(outcome.status).toBe('sent');
    expect(api.received).toHaveLength(2);
  });

  it.each([
    [400, 'Event object is invalid'],
    [403, 'Forbidden'],
    [404, 'Not Found'],
  ])(
    'puts a rejected event (%d) in the dead-letter queue and counts it in the rejected metric',
    async (status, message) => {
      for (let i = 0; i < 3; i++) api.answers.push({ status, body: { message, errors: [`key ${KEY}`] } });
      const { logger, text } = capturedLogger();
      const metrics: string[] = [];
      const onRejected = deadLetterRejected(
        new SQSClient({ region: 'eu-west-1' }),
        DLQ_URL,
        'CPQMonitor',
        (l) => metrics.push(l),
      );
      const message_ = lambdaMessage(notification());
      const totals = await handleForwarderEvent(
        snsEvent(message_),
        { awsRequestId: 'r9' },
        'pagerduty',
        (m) => forwardMessage(m, pagerDuty, target()),
        logger,
        onRejected,
      );
      expect(totals).toEqual({ sent: 0, skipped: 0, rejected: 1 });
      const sent = sqs.commandCalls(SendMessageCommand);
      expect(sent).toHaveLength(1);
      const input = sent[0]!.args[0].input;
      expect(input.QueueUrl).toBe(DLQ_URL);
      // The original message, whole, so it can be replayed once the integration is fixed.
      expect(input.MessageBody).toBe(message_);
      expect(input.MessageAttributes?.destination?.StringValue).toBe('pagerduty');
      expect(input.MessageAttributes?.reason?.StringValue).toContain(`HTTP ${status}`);
      expect(JSON.stringify(input)).not.toContain(KEY);
      expect(metrics).toHaveLength(1);
      const emf = JSON.parse(metrics[0]!);
      expect(emf._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'CPQMonitor',
          Dimensions: [[]],
          Metrics: [{ Name: 'IntegrationRejected', Unit: 'Count' }],
        },
      ]);
      expect(emf).toMatchObject({ IntegrationRejected: 1, destination: 'pagerduty' });
      expect(text()).not.toContain(KEY);
    },
  );

  it('throws (Lambda retries) when the dead-letter queue cannot take a rejected event', async () => {
    api.answers.push({ status: 400, body: { message: 'Event object is invalid' } });
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    const { logger } = capturedLogger();
    const onRejected = deadLetterRejected(
      new SQSClient({ region: 'eu-west-1' }),
      DLQ_URL,
      'CPQMonitor',
      () => undefined,
    );
    await expect(
      handleForwarderEvent(
        snsEvent(lambdaMessage(notification())),
        { awsRequestId: 'r10' },
        'pagerduty',
        (m) => forwardMessage(m, pagerDuty, target()),
        logger,
        onRejected,
      ),
    ).rejects.toThrow(/queue unavailable/);
  });

  it.each([
    [429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' }],
    [500, { status: 'error', message: 'internal error' }],
  ])('on %d throws so that Lambda retries (then the DLQ), and logs no routing key', async (status, body) => {
    api.answers.push({ status, body, headers: { 'retry-after': '60' } });
    const { logger, text } = capturedLogger();
    const forward = (m: string) => forwardMessage(m, pagerDuty, target());
    const run = handleForwarderEvent(
      snsEvent(lambdaMessage(notification())),
      { awsRequestId: 'r2' },
      'pagerduty',
      forward,
      logger,
    );
    await expect(run).rejects.toThrow(PagerDutyRetryableError);
    await expect(run).rejects.toThrow(new RegExp(`PagerDuty answered ${status} \\(retry after 60 s\\)`));
    expect(text()).toContain('Lambda retries the event');
    expect(text()).not.toContain(KEY);
    // The retry (Lambda's second attempt) goes through with the same dedup_key.
    await forwardMessage(lambdaMessage(notification()), pagerDuty, target());
    expect(api.received).toHaveLength(2);
    expect(api.received[0]!.dedup_key).toBe(api.received[1]!.dedup_key);
  });

  it('throws a retryable error when the server hangs up without an answer', async () => {
    api.answers.push('hang-up');
    await expect(forwardMessage(lambdaMessage(notification()), pagerDuty, target())).rejects.toThrow(
      /PagerDuty not reached/,
    );
  });

  it('refuses a server certificate it does not trust (no CA given: TLS verified)', async () => {
    const t = { ...target(), ca: undefined };
    await expect(forwardMessage(lambdaMessage(notification()), pagerDuty, t)).rejects.toThrow(
      /PagerDuty not reached: .*(self|certificate|issuer)/i,
    );
    expect(api.received).toHaveLength(0);
  });

  it('throws (to retry, then the DLQ) when the secret cannot be read, naming the secret only', async () => {
    sm.reset();
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
    );
    await expect(forwardMessage(lambdaMessage(notification()), pagerDuty, target())).rejects.toThrow(
      `cannot read secret ${SECRET_ID}: User is not authorized`,
    );
    expect(api.received).toHaveLength(0);
  });

  it('drops a message that is not an alert document or an alarm, with the reason', async () => {
    const { logger, text } = capturedLogger();
    const forward = (m: string) => forwardMessage(m, pagerDuty, target());
    const totals = await handleForwarderEvent(
      snsEvent('plain text'),
      { awsRequestId: 'r3' },
      'pagerduty',
      forward,
      logger,
    );
    expect(totals).toEqual({ sent: 0, skipped: 0, rejected: 1 });
    expect(text()).toContain('the message is not JSON');
    expect(api.received).toHaveLength(0);
  });
});
