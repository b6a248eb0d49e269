/** Where metric data go: CloudWatch in AWS, Embedded Metric Format lines locally. */
import { CpqMonitorError } from '../errors';
import type { MetricDatum } from './datum';

/** What one `put` did. */
export interface SinkReport {
  /** Data handed in. */
  data: number;
  /** Entries shipped after merging equal series into Values/Counts (CloudWatch) or documents (EMF). */
  entries: number;
  /** Requests the data were split into (PutMetricData batches, or EMF documents). */
  requests: number;
  /** API calls made, retries included (0 for EMF). */
  calls: number;
  /** Calls repeated after throttling or a server error. */
  retries: number;
  /** One per request that still failed after its last attempt; empty when everything was shipped. */
  errors: MetricsPublishError[];
}

/** The report of a put before any call: what was handed in and how it was split, nothing sent yet. */
export function newSinkReport(split: Pick<SinkReport, 'data' | 'entries' | 'requests'>): SinkReport {
  return {
    data: split.data,
    entries: split.entries,
    requests: split.requests,
    calls: 0,
    retries: 0,
    errors: [],
  };
}

/** Ships metric data; failures are in the report, never thrown. */
export interface MetricSink {
  /** Ships one cycle's data. */
  put(data: readonly MetricDatum[]): Promise<SinkReport>;
}

/** A batch of metric data could not be shipped (after the last retry, or not retryable). */
export class MetricsPublishError extends CpqMonitorError {
  constructor(
    message: string,
    readonly details: {
      /** Index of the failed request within the put. */
      request: number;
      /** Metric entries in that request. */
      entries: number;
      attempts: number;
      /** The SDK error name, e.g. `Throttling`, `InvalidParameterValue`. */
      errorName: string;
      retryable: boolean;
    },
    options?: { cause?: unknown },
  ) {
    super('metrics_publish_failed', message, options);
  }
}
