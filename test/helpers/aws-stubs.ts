/**
 * Loopback stand-ins for the AWS APIs the functions call besides DynamoDB, speaking the wire
 * protocols of the SDK v3 clients in node_modules, so code under test runs its real clients:
 * SNS Publish over AWS Query (form-encoded request, XML reply) and Secrets Manager GetSecretValue
 * over AWS JSON 1.1. Each answers only signed requests (SigV4 with the test's access key) and
 * records what it received.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_CREDENTIALS } from './dynalite';

/** One SNS Publish the stub accepted. */
export interface PublishedMessage {
  topicArn: string;
  subject: string | undefined;
  message: string;
  messageStructure: string | undefined;
  /** Message attributes, name → string value. */
  attributes: Record<string, string>;
}

/** A loopback SNS endpoint that accepts Publish to the topics it knows. */
export interface SnsStub {
  readonly endpoint: string;
  /** Every message published so far, in order. */
  readonly published: readonly PublishedMessage[];
  close(): Promise<void>;
}

/** A loopback Secrets Manager endpoint serving fixed secret strings by name. */
export interface SecretsStub {
  readonly endpoint: string;
  /** Secret ids asked for, in order. */
  readonly requested: readonly string[];
  close(): Promise<void>;
}

const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Starts an SNS endpoint on 127.0.0.1 that records Publish calls to `topicArns`. */
export async function startSnsStub(topicArns: readonly string[]): Promise<SnsStub> {
  const published: PublishedMessage[] = [];
  const server = await listen(async (req, res) => {
    const form = new URLSearchParams(await bodyOf(req));
    const action = form.get('Action');
    if (action !== 'Publish')
      return snsError(res, 400, 'InvalidAction', `the stub answers Publish, not ${action}`);
    const topicArn = form.get('TopicArn') ?? '';
    if (!topicArns.includes(topicArn))
      return snsError(res, 404, 'NotFound', `Topic does not exist: ${topicArn}`);
    const message = form.get('Message');
    if (message === null) return snsError(res, 400, 'InvalidParameter', 'Message is required');
    published.push({
      topicArn,
      subject: form.get('Subject') ?? undefined,
      message,
      messageStructure: form.get('MessageStructure') ?? undefined,
      attributes: messageAttributes(form),
    });
    const xml =
      `<PublishResponse xmlns="${SNS_XMLNS}"><PublishResult><MessageId>${randomUUID()}</MessageId>` +
      `</PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
    reply(res, 200, 'text/xml', xml);
  });
  return { endpoint: endpointOf(server), published, close: () => stop(server) };
}

/** Starts a Secrets Manager endpoint on 127.0.0.1 answering GetSecretValue from `secrets` (name → text). */
export async function startSecretsStub(secrets: Readonly<Record<string, string>>): Promise<SecretsStub> {
  const requested: string[] = [];
  const server = await listen(async (req, res) => {
    const target = req.headers['x-amz-target'];
    const json = (status: number, doc: unknown) =>
      reply(res, status, 'application/x-amz-json-1.1', JSON.stringify(doc));
    if (target !== 'secretsmanager.GetSecretValue') {
      return json(400, {
        __type: 'UnknownOperationException',
        message: `the stub answers GetSecretValue, not ${target}`,
      });
    }
    const { SecretId: id } = JSON.parse(await bodyOf(req)) as { SecretId?: string };
    requested.push(id ?? '');
    const text = id === undefined ? undefined : secrets[id];
    if (id === undefined || text === undefined) {
      return json(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    json(200, {
      ARN: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}-AbCdEf`,
      Name: id,
      SecretString: text,
      VersionId: randomUUID(),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Math.floor(Date.now() / 1000),
    });
  });
  return { endpoint: endpointOf(server), requested, close: () => stop(server) };
}

/** `MessageAttributes.entry.N.{Name,Value.StringValue}` of an AWS Query form, as name → value. */
function messageAttributes(form: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    const name = form.get(`MessageAttributes.entry.${n}.Name`) ?? '';
    out[name] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
  }
  return out;
}

function snsError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml =
    `<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  reply(res, status, 'text/xml', xml);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'x-amzn-requestid': randomUUID() });
  res.end(body);
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An HTTP server on 127.0.0.1 that refuses requests not signed with the tests' access key. */
async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Server> {
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${LOOPBACK_CREDENTIALS.accessKeyId}/`)) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('request not signed with the test credentials');
      return;
    }
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

function endpointOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function stop(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
