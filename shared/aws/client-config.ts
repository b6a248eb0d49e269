/**
 * How every AWS SDK client of the monitor is configured: a connection timeout, a per-attempt
 * request timeout and the SDK's own bounded retries. Without them an endpoint that accepts TCP and
 * never answers keeps a call pending until Lambda kills the cycle (no metrics, no memory saved).
 *
 * Retries live here and nowhere else: the SDK's standard retry strategy (exponential backoff with
 * jitter, a retry quota, throttling and transient errors such as timeouts) with `maxAttempts`.
 * Code that calls AWS does not loop on failures itself; it passes an `abortSignal` for the cycle's
 * deadline and reports what failed. The worst time of one call is therefore bounded twice: by
 * `maxAttempts × (connection + request timeout) + backoff`, and by the caller's deadline.
 * Figures and reasoning: docs/alerts.md#deadlines-and-retries-of-aws-calls.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Deadlines and retries of one AWS SDK client. */
export interface AwsCallBounds {
  /** Time to establish the TCP (and TLS) connection, per attempt. */
  connectionTimeoutMs: number;
  /** Time without a response on an established connection, per attempt. */
  requestTimeoutMs: number;
  /** Attempts per call, the first included (the SDK's `maxAttempts`). */
  maxAttempts: number;
}

/**
 * Defaults: SNS Publish, DynamoDB single-item calls and Secrets Manager reads answer in tens of
 * milliseconds inside a region; a 3 s connection and 5 s response bound leave two orders of
 * magnitude of room, and 3 attempts (the SDK's default) ride out one throttle or a dropped
 * connection. Worst case per call: 3 × 8 s + backoff ≈ 25 s, below the probe Lambda's timeout,
 * and in any case cut by the cycle's deadline.
 */
export const AWS_CALL_BOUNDS: Readonly<AwsCallBounds> = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 5000,
  maxAttempts: 3,
};

/** Extra client settings: a region, an endpoint (tests point a client at a loopback server), credentials. */
export interface AwsClientOverrides {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The configuration object every SDK client constructor of the monitor receives. */
export function awsClientConfig(
  overrides: AwsClientOverrides = {},
  bounds: Partial<AwsCallBounds> = {},
): {
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  retryMode: 'standard';
} & AwsClientOverrides {
  const b = { ...AWS_CALL_BOUNDS, ...bounds };
  return {
    ...overrides,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: b.connectionTimeoutMs,
      requestTimeout: b.requestTimeoutMs,
      // Without it the handler only logs a warning when requestTimeout passes and keeps waiting:
      // a silent endpoint would hold the call forever (the loopback test shows it).
      throwOnRequestTimeout: true,
    }),
    maxAttempts: b.maxAttempts,
    retryMode: 'standard',
  };
}

/** An AbortSignal that fires at `deadline` (epoch ms); already aborted when it has passed. */
export function deadlineSignal(deadline: number): AbortSignal {
  const left = Math.floor(deadline - Date.now());
  return left <= 0 ? AbortSignal.abort(new DeadlineError(deadline)) : AbortSignal.timeout(left);
}

/** A call cut short by the cycle's deadline (not by AWS). */
export class DeadlineError extends Error {
  constructor(readonly deadline: number) {
    super(`the cycle's deadline (${new Date(deadline).toISOString()}) had passed`);
    this.name = 'DeadlineError';
  }
}

/** True when an SDK call ended because its abort signal fired (the deadline), not because AWS answered. */
export function isAbortError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  // The SDK names an aborted call `AbortError` (the signal's reason is its `cause`); its own
  // per-attempt timeouts are `TimeoutError` and count as AWS not answering.
  return name === 'AbortError' || name === 'DeadlineError';
}

/** Per-call options the monitor's stores and notifiers accept: the signal of the cycle's deadline. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}
