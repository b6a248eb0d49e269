/**
 * Writes metric data as CloudWatch Embedded Metric Format (EMF) JSON lines, for local runs
 * (and for Lambda logs, where CloudWatch extracts them without API calls). One document holds
 * one timestamp and one set of dimension values; repeated values of a metric become an array;
 * at most 100 metrics per document, as EMF requires.
 */
import { type MetricDatum, seriesKey } from './datum';
import { type MetricSink, MetricsPublishError, newSinkReport, type SinkReport } from './sink';

/** EMF limits. */
export const EMF_LIMITS = { metricsPerDocument: 100, valuesPerMetric: 100 } as const;

/** Options of the EMF sink. */
export interface EmfSinkOptions {
  namespace: string;
}

/** The EMF documents for a list of data (exported for tests and `check --json`). */
export function toEmfDocuments(
  namespace: string,
  data: readonly MetricDatum[],
): Array<Record<string, unknown>> {
  // Group by timestamp + dimension values: those are the document's root keys.
  const groups = new Map<
    string,
    { dims: Record<string, string>; ts: string; metrics: Map<string, MetricDatum[]> }
  >();
  for (const d of data) {
    const dimKeys = Object.keys(d.dimensions).sort();
    const gk = `${d.timestamp}|${dimKeys.map((k) => `${k}=${d.dimensions[k]}`).join(',')}`;
    let g = groups.get(gk);
    if (g === undefined) {
      g = { dims: d.dimensions, ts: d.timestamp, metrics: new Map() };
      groups.set(gk, g);
    }
    const mk = seriesKey(d);
    const list = g.metrics.get(mk);
    if (list) list.push(d);
    else g.metrics.set(mk, [d]);
  }
  const docs: Array<Record<string, unknown>> = [];
  for (const g of groups.values()) {
    const series = [...g.metrics.values()].flatMap((list) => chunk(list, EMF_LIMITS.valuesPerMetric));
    // A name may appear only once per document: values beyond 100 go to further documents.
    const pending = [...series];
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
      const doc: Record<string, unknown> = {
        _aws: {
          Timestamp: Date.parse(g.ts),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(g.dims).sort()],
              Metrics: taken.map((list) => ({ Name: list[0]!.name, Unit: list[0]!.unit })),
            },
          ],
        },
        ...g.dims,
      };
      for (const list of taken)
        doc[list[0]!.name] = list.length === 1 ? list[0]!.value : list.map((d) => d.value);
      docs.push(doc);
    }
  }
  return docs;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A MetricSink writing EMF JSON lines to a stream. */
export class EmfSink implements MetricSink {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: EmfSinkOptions,
  ) {}

  /** {@inheritDoc MetricSink.put} */
  async put(data: readonly MetricDatum[]): Promise<SinkReport> {
    const docs = toEmfDocuments(this.options.namespace, data);
    const report = newSinkReport({ data: data.length, entries: docs.length, requests: docs.length });
    if (docs.length === 0) return report;
    const text = `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`;
    await new Promise<void>((resolve) => {
      this.out.write(text, (err) => {
        if (err) {
          report.errors.push(
            new MetricsPublishError(`cannot write EMF lines: ${err.message}`, {
              request: 0,
              entries: docs.length,
              attempts: 1,
              errorName: err.name,
              retryable: false,
            }),
          );
        }
        resolve();
      });
    });
    return report;
  }
}
