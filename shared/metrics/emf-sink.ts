/**
 * Writes metric data as CloudWatch Embedded Metric Format (EMF) JSON lines, and the appliance
 * records as plain JSON lines, to one stream: the Lambda's stdout (CloudWatch Logs extracts the
 * metrics: no API call, no VPC endpoint, no retries of our own) or a file for local runs.
 *
 * The EMF documents are serialised by Powertools for AWS Lambda (Metrics), used as a serialiser
 * only: it validates names, units and timestamps and keeps the format current; its default
 * `service` dimension is removed so the dimensions stay exactly the documented ones. We group the
 * data (one document per timestamp and set of dimension values) and keep each document within
 * EMF's limits ourselves, so Powertools never flushes to stdout on its own.
 */
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';

type PowertoolsUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

import { type MetricDatum, seriesKey } from './datum';
import type { ApplianceRecord } from './records';
import { type MetricSink, MetricsPublishError, type SinkReport } from './sink';

/**
 * Per document: EMF allows 100 metrics and 100 values per metric; Powertools flushes to stdout by
 * itself when a metric reaches 100 values, so we stop at 99.
 */
export const EMF_LIMITS = { metricsPerDocument: 100, valuesPerMetric: 99 } as const;

/** Options of the EMF sink. */
export interface EmfSinkOptions {
  namespace: string;
}

/** What Powertools would have warned about, kept as our own problems. */
interface Collected {
  warnings: string[];
}

function serializer(namespace: string, collected: Collected): Metrics {
  const warn = (...args: unknown[]) => collected.warnings.push(args.map(String).join(' '));
  const metrics = new Metrics({
    namespace,
    logger: { warn, error: warn, info: () => {}, debug: () => {} } as never,
  });
  metrics.clearDefaultDimensions();
  return metrics;
}

/** One timestamp and one set of dimension values, with its series (values of one name each). */
interface Group {
  dims: Record<string, string>;
  ts: string;
  series: MetricDatum[][];
}

function groupData(data: readonly MetricDatum[]): Group[] {
  const groups = new Map<
    string,
    { dims: Record<string, string>; ts: string; series: Map<string, MetricDatum[]> }
  >();
  for (const d of data) {
    const dimKeys = Object.keys(d.dimensions).sort();
    const gk = `${d.timestamp}|${dimKeys.map((k) => `${k}=${d.dimensions[k]}`).join(',')}`;
    let g = groups.get(gk);
    if (g === undefined) {
      g = { dims: d.dimensions, ts: d.timestamp, series: new Map() };
      groups.set(gk, g);
    }
    const key = seriesKey(d);
    const list = g.series.get(key);
    if (list) list.push(d);
    else g.series.set(key, [d]);
  }
  return [...groups.values()].map((g) => ({ dims: g.dims, ts: g.ts, series: [...g.series.values()] }));
}

/** Splits a group's series into documents: a name at most once, ≤ 100 names, ≤ 100 values each. */
function documentsOf(group: Group): MetricDatum[][][] {
  const pending = group.series.flatMap((list) => chunk(list, EMF_LIMITS.valuesPerMetric));
  const docs: MetricDatum[][][] = [];
  while (pending.length > 0) {
    const taken: MetricDatum[][] = [];
    const names = new Set<string>();
    for (let i = 0; i < pending.length && taken.length < EMF_LIMITS.metricsPerDocument; ) {
      const name = pending[i]![0]!.name;
      if (names.has(name)) {
        i++;
        continue;
      }
      names.add(name);
      taken.push(pending.splice(i, 1)[0]!);
    }
    docs.push(taken);
  }
  return docs;
}

/** The EMF documents for a list of data, and what CloudWatch would reject in them (exported for tests). */
export function toEmfDocuments(
  namespace: string,
  data: readonly MetricDatum[],
): { documents: Array<Record<string, unknown>>; warnings: string[] } {
  const collected: Collected = { warnings: [] };
  const metrics = serializer(namespace, collected);
  const documents: Array<Record<string, unknown>> = [];
  for (const group of groupData(data)) {
    for (const doc of documentsOf(group)) {
      // Synchronous from here to clearMetrics: nothing else can touch the serialiser in between.
      metrics.setTimestamp(new Date(group.ts));
      if (Object.keys(group.dims).length > 0) metrics.addDimensions(group.dims);
      let added = 0;
      for (const list of doc) {
        for (const d of list) {
          if (!Number.isFinite(d.value)) {
            // JSON has no NaN or Infinity (they would be written as null): left out and reported.
            collected.warnings.push(`${d.name}: ${d.value} is not a valid number`);
            continue;
          }
          try {
            metrics.addMetric(d.name, d.unit as PowertoolsUnit, d.value);
            added++;
          } catch (err) {
            // Whatever else Powertools refuses (a name or unit): left out and reported, the rest go.
            collected.warnings.push(`${d.name}: ${(err as Error).message}`);
          }
        }
      }
      if (added > 0) documents.push(metrics.serializeMetrics() as unknown as Record<string, unknown>);
      metrics.clearMetrics();
      metrics.clearDimensions();
    }
  }
  return { documents, warnings: collected.warnings };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A MetricSink writing EMF lines and appliance records as JSON lines to a stream. */
export class EmfSink implements MetricSink {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: EmfSinkOptions,
  ) {}

  /** {@inheritDoc MetricSink.put} */
  async put(data: readonly MetricDatum[], records: readonly ApplianceRecord[] = []): Promise<SinkReport> {
    const { documents, warnings } = toEmfDocuments(this.options.namespace, data);
    const emf = documents.map((d) => `${JSON.stringify(d)}\n`).join('');
    const rec = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const report: SinkReport = {
      data: data.length,
      entries: documents.length,
      records: records.length,
      emfBytes: Buffer.byteLength(emf),
      recordBytes: Buffer.byteLength(rec),
      errors: warnings.map(
        (w) =>
          new MetricsPublishError(`CloudWatch would not accept a metric: ${w}`, {
            stage: 'serialize',
            lines: 1,
          }),
      ),
    };
    const text = rec + emf;
    if (text.length === 0) return report;
    await new Promise<void>((resolve) => {
      this.out.write(text, (err) => {
        if (err) {
          report.errors.push(
            new MetricsPublishError(`cannot write metric lines: ${err.message}`, {
              stage: 'write',
              lines: documents.length + records.length,
            }),
          );
        }
        resolve();
      });
    });
    return report;
  }
}
