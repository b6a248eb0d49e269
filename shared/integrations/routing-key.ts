/**
 * The PagerDuty routing key, read from Secrets Manager when first needed and kept for a while
 * (so a rotated key is picked up without a deploy). Its value never appears in an error or a log.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, errorMessage } from '../errors';

/** A routing key: the 32-character integration key of an Events API v2 integration or ruleset. */
export const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

/** How long a read key is used before it is read again. */
export const ROUTING_KEY_TTL_MS = 10 * 60_000;

/** The routing key in a secret's text: the key itself, or JSON `{"routingKey": ...}` / `{"routing_key": ...}`. */
export function routingKeyOf(secretText: string, secretId: string): string {
  let value = secretText.trim();
  if (value.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(value) as Record<string, unknown>;
    } catch {
      throw new ConfigError(`secret ${secretId} starts with "{" but is not JSON`);
    }
    const found = json.routingKey ?? json.routing_key;
    if (typeof found !== 'string') {
      throw new ConfigError(`secret ${secretId} is JSON without a "routingKey" string`);
    }
    value = found.trim();
  }
  if (!ROUTING_KEY.test(value)) {
    throw new ConfigError(
      `secret ${secretId} does not hold a PagerDuty routing key (32 letters and digits, the Events API v2 integration key); it holds ${value.length} characters`,
    );
  }
  return value;
}

/** A function returning the routing key, reading the secret at most once per TTL. */
export function routingKeyReader(
  client: SecretsManagerClient,
  secretId: string,
  now: () => number = Date.now,
): () => Promise<string> {
  let cached: { key: string; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < ROUTING_KEY_TTL_MS) return cached.key;
    let text: string | undefined;
    try {
      const res = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      text = res.SecretString;
    } catch (err) {
      throw new ConfigError(`cannot read secret ${secretId}: ${errorMessage(err)}`, { cause: err });
    }
    if (text === undefined) throw new ConfigError(`secret ${secretId} has no SecretString`);
    cached = { key: routingKeyOf(text, secretId), at: now() };
    return cached.key;
  };
}
