/** Where metric data and appliance records go: EMF lines on the Lambda's stdout, or a file locally. */
import { CpqMonitorError } from '../errors';
import type { MetricDatum } from './datum';
import type { ApplianceRecord } from './records';

/** What one `put` did. */
export interface SinkReport {
  /** Data handed in. */
  data: number;
  /** EMF documents written (one per timestamp and set of dimension values, split at EMF's limits). */
  entries: number;
  /** Appliance records written. */
  records: number;
  /** Bytes of EMF lines written (what CloudWatch Logs bills as ingestion), newlines included. */
  emfBytes: number;
  /** Bytes of appliance record lines written, newlines included. */
  recordBytes: number;
  /** One per problem: a datum CloudWatch would reject, or a write that failed; empty when all went out. */
  errors: MetricsPublishError[];
}

/** Ships metric data and appliance records; failures are in the report, never thrown. */
export interface MetricSink {
  /** Ships one cycle's data and records. */
  put(data: readonly MetricDatum[], records?: readonly ApplianceRecord[]): Promise<SinkReport>;
}

/** Metric data or records could not be shipped, or CloudWatch would not accept a datum. */
export class MetricsPublishError extends CpqMonitorError {
  constructor(
    message: string,
    readonly details: {
      /** What failed: the write, or the serialisation of a datum. */
      stage: 'write' | 'serialize';
      /** Lines (documents or records) affected. */
      lines: number;
    },
    options?: { cause?: unknown },
  ) {
    super('metrics_publish_failed', message, options);
  }
}
