/**
 * Structured logging (pino). Credentials never reach a log: the redact list covers every field
 * name that can hold one, wherever it is nested.
 */
import pino, { type Logger } from 'pino';

export const REDACTED_KEYS = [
  'password',
  'privateKey',
  'passphrase',
  'secret',
  'SecretString',
  'authorization',
];

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

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
