/**
 * Structured logging (pino). Credentials never reach a log: the redact list covers every field
 * name that can hold one, wherever it is nested.
 */
import pino, { type Logger } from 'pino';

export const REDACTED_KEYS = [
  // SSH authentication as the reader takes it (`auth: { password } | { privateKey, passphrase }`).
  'auth',
  'password',
  'privateKey',
  'passphrase',
  // Secrets Manager responses and anything named after a secret.
  'secret',
  'SecretString',
  'SecretBinary',
  // HTTP headers and AWS credentials (an SDK client's config, an assumed role's result).
  'authorization',
  'Authorization',
  'credentials',
  'Credentials',
  'secretAccessKey',
  'SecretAccessKey',
  'sessionToken',
  'SessionToken',
  'token',
];

/** How deep below the logged object a redacted key is still found (pino has no recursive wildcard). */
const REDACT_DEPTH = 6;

const redactPaths = REDACTED_KEYS.flatMap((k) =>
  Array.from({ length: REDACT_DEPTH + 1 }, (_, depth) => [...Array<string>(depth).fill('*'), k].join('.')),
);

/** A JSON logger to stderr (stdout stays free for a command's output), level from LOG_LEVEL. */
export function createLogger(
  name: string,
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      name,
      level: process.env.LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: undefined,
    },
    destination,
  );
}

export type { Logger };
