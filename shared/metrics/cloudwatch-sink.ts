/**
 * Ships metric data with PutMetricData in as few calls as the API limits allow: data of the same
 * series and timestamp are merged into one entry with Values/Counts, entries are packed up to
 * 1,000 per request and under the 1 MB payload limit. Throttling and server errors are retried
 * with exponential backoff and full jitter; a request that still fails is reported as a typed
 * MetricsPublishError and the remaining requests are still sent.
 */
import {
  type CloudWatchClient,
  type MetricDatum as CwDatum,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../errors';
import { type MetricDatum, seriesKey } from './datum';
import { type MetricSink, MetricsPublishError, newSinkReport, type SinkReport } from './sink';

/** PutMetricData limits (CloudWatch quotas). */
export const PUT_METRIC_DATA_LIMITS = {
  /** Entries in MetricData per request. */
  entries: 1000,
  /** Request payload; we pack to a margin below it. */
  payloadBytes: 1_000_000,
  /** Distinct values in one entry's Values array. */
  values: 150,
} as const;

/** Options of the CloudWatch sink. */
export interface CloudWatchSinkOptions {
  namespace: string;
  /** Attempts per request, the first included; default 5. */
  maxAttempts?: number;
  /** First backoff ceiling in ms, doubled per retry; default 100. */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms; default 5000. */
  maxDelayMs?: number;
  /** Deadline per API call in ms; default 10000. */
  callTimeoutMs?: number;
  /** Injected for tests (no real waiting); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; default Math.random. */
  random?: () => number;
}

const RETRYABLE_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServiceFault',
  'InternalServiceError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** True for errors worth another attempt: throttling, 5xx, timeouts and dropped connections. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name !== undefined && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code !== undefined && RETRYABLE_CODES.has(e.code)) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return e.$fault === 'server' || e.$metadata?.httpStatusCode === 429;
}

/** Merges data of one series and timestamp into entries with Values/Counts (max 150 distinct values each). */
export function toCloudWatchEntries(data: readonly MetricDatum[]): CwDatum[] {
  const groups = new Map<string, { d: MetricDatum; counts: Map<number, number> }>();
  for (const d of data) {
    const key = seriesKey(d);
    let g = groups.get(key);
    if (g === undefined) {
      g = { d, counts: new Map() };
      groups.set(key, g);
    }
    g.counts.set(d.value, (g.counts.get(d.value) ?? 0) + 1);
  }
  const out: CwDatum[] = [];
  for (const { d, counts } of groups.values()) {
    const base: CwDatum = {
      MetricName: d.name,
      Unit: d.unit as StandardUnit,
      Timestamp: new Date(d.timestamp),
      Dimensions: Object.keys(d.dimensions)
        .sort()
        .map((k) => ({ Name: k, Value: d.dimensions[k]! })),
    };
    const pairs = [...counts.entries()];
    if (pairs.length === 1 && pairs[0]![1] === 1) {
      out.push({ ...base, Value: pairs[0]![0] });
      continue;
    }
    for (let i = 0; i < pairs.length; i += PUT_METRIC_DATA_LIMITS.values) {
      const slice = pairs.slice(i, i + PUT_METRIC_DATA_LIMITS.values);
      out.push({ ...base, Values: slice.map(([v]) => v), Counts: slice.map(([, c]) => c) });
    }
  }
  return out;
}

/** An upper bound of an entry's share of the request body (JSON; timestamps as ISO strings). */
function entryBytes(e: CwDatum): number {
  return Buffer.byteLength(JSON.stringify(e)) + 1;
}

/** Packs entries into requests of at most 1,000 entries and `payloadBytes` bytes, in order. */
export function packRequests(
  namespace: string,
  entries: readonly CwDatum[],
  limits: { entries: number; payloadBytes: number } = PUT_METRIC_DATA_LIMITS,
): CwDatum[][] {
  const overhead = Buffer.byteLength(JSON.stringify({ Namespace: namespace, MetricData: [] }));
  const out: CwDatum[][] = [];
  let batch: CwDatum[] = [];
  let bytes = overhead;
  for (const e of entries) {
    const size = entryBytes(e);
    if (batch.length > 0 && (batch.length >= limits.entries || bytes + size > limits.payloadBytes)) {
      out.push(batch);
      batch = [];
      bytes = overhead;
    }
    batch.push(e);
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** A MetricSink for CloudWatch PutMetricData. */
export class CloudWatchSink implements MetricSink {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly callTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly options: CloudWatchSinkOptions,
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** {@inheritDoc MetricSink.put} */
  async put(data: readonly MetricDatum[]): Promise<SinkReport> {
    const entries = toCloudWatchEntries(data);
    const requests = packRequests(this.options.namespace, entries);
    const report = newSinkReport({ data: data.length, entries: entries.length, requests: requests.length });
    for (const [index, batch] of requests.entries()) {
      for (let attempt = 1; ; attempt++) {
        report.calls++;
        try {
          await this.client.send(
            new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData: batch }),
            {
              abortSignal: AbortSignal.timeout(this.callTimeoutMs),
            },
          );
          break;
        } catch (err) {
          const retryable = isRetryable(err);
          if (!retryable || attempt >= this.maxAttempts) {
            const name = (err as { name?: string }).name ?? 'Error';
            report.errors.push(
              new MetricsPublishError(
                `PutMetricData request ${index + 1}/${requests.length} (${batch.length} entries) failed after ${attempt} attempt(s): ${name}: ${errorMessage(err)}`,
                { request: index, entries: batch.length, attempts: attempt, errorName: name, retryable },
                { cause: err },
              ),
            );
            break;
          }
          report.retries++;
          // Full jitter: a random wait up to an exponentially growing ceiling spreads retries out.
          const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
          await this.sleep(Math.floor(this.random() * ceiling));
        }
      }
    }
    return report;
  }
}
