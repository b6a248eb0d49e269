/**
 * The one interface every chat or pager integration implements, in its own file, and is listed
 * once in `registry.ts`: check its settings, render a topic message as its payload, send the
 * payload. The forwarder (`forward.ts`) drives any of them the same way. How to add one:
 * docs/architecture.md (Adding an integration).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import type { KnownTopicMessage } from './message';

/** The AWS clients of one forwarder container (tests replace them through aws-sdk-client-mock). */
export interface ForwarderClients {
  sns: SNSClient;
  secretsManager: SecretsManagerClient;
}

/** What rendering one message gave: the payload to send, or why nothing is sent. */
export type Rendered<Payload> =
  | { payload: Payload }
  /** Nothing to send for this message (e.g. an alarm going to INSUFFICIENT_DATA). */
  | { skip: string }
  /** The rendering is invalid: a renderer bug, so sending it again would fail the same way. */
  | { reject: string };

/** What the receiving service made of a payload. */
export type Delivery =
  | { status: 'sent'; dedupKey?: string; action?: string }
  /** Refused for good (sending it again cannot help): the message is dropped, with why. */
  | { status: 'rejected'; reason: string; errors?: string[] };

/** One integration: settings from the Lambda environment, render, send. */
export interface Integration<Settings, Target, Payload> {
  /** `FORWARD_TO` of its forwarder, and `destination` in the forwarder's log records. */
  readonly name: string;
  /**
   * Validates this integration's variables of the Lambda environment (the stack sets them), or
   * throws a ConfigError naming every bad one.
   */
  settingsFromEnv(env: NodeJS.ProcessEnv): Settings;
  /** What sending needs, built once per container (clients, a cached secret reader). */
  connect(settings: Settings, clients: ForwarderClients): Target;
  /** The payload for one message, or why none is sent; throws only when retrying can help. */
  render(message: KnownTopicMessage, target: Target): Promise<Rendered<Payload>>;
  /** Sends one payload (`what` names the message in errors); throws only when retrying can help. */
  send(payload: Payload, target: Target, what: string): Promise<Delivery>;
}

/** Any integration, as the registry holds them (methods are compared bivariantly). */
export type AnyIntegration = Integration<unknown, unknown, unknown>;

/** The variables `schema` describes, read from `env`; a ConfigError names every bad one. */
export function envSettings<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid Lambda environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}
