import { PassThrough } from 'node:stream';
import { datum, type MetricDatum } from '../../../shared/metrics/datum';
import { EmfSink, toEmfDocuments } from '../../../shared/metrics/emf-sink';
import { MetricsPublishError } from '../../../shared/metrics/sink';

/** A minute ago: CloudWatch (and Powertools) accept timestamps up to 14 days old. */
const TS = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();

describe('EMF sink', () => {
  it('writes one document per appliance with its metrics, dimensions and timestamp', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const data = [
      datum('ListenerUp', 1, { Appliance: 'sma1' }, TS),
      datum('HandshakeLatency', 22, { Appliance: 'sma1' }, TS),
      datum('ListenerUp', 0, { Appliance: 'esa1' }, TS),
      datum('MonitorHeartbeat', 1, { Cycle: 'probe' }, TS),
    ];
    const report = await new EmfSink(out, { namespace: 'CPQMonitor' }).put(data);
    expect(report).toMatchObject({ data: 4, entries: 3, records: 0, errors: [] });
    expect(report.emfBytes).toBe(chunks.join('').length);
    const docs = chunks
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs[0]).toEqual({
      _aws: {
        Timestamp: Date.parse(TS),
        CloudWatchMetrics: [
          {
            Namespace: 'CPQMonitor',
            Dimensions: [['Appliance']],
            Metrics: [
              { Name: 'ListenerUp', Unit: 'None' },
              { Name: 'HandshakeLatency', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      Appliance: 'sma1',
      ListenerUp: 1,
      HandshakeLatency: 22,
    });
    expect(docs[2]).toMatchObject({ Cycle: 'probe', MonitorHeartbeat: 1 });
  });

  it('puts repeated values in an array and at most 100 metrics in a document', () => {
    const repeated = [1, 0, 1].map((v) => datum('ListenerUp', v, { Appliance: 'sma1' }, TS));
    expect(toEmfDocuments('N', repeated).documents).toEqual([
      expect.objectContaining({ ListenerUp: [1, 0, 1] }),
    ]);
  });

  it('puts at most 100 metrics in one document', () => {
    // More names than cpq-monitor has, to reach the EMF limit: 250 metrics of one dimension set.
    const many: MetricDatum[] = Array.from({ length: 250 }, (_, i) => ({
      name: `Metric${i}` as MetricDatum['name'],
      unit: 'Count',
      value: i,
      dimensions: { Appliance: 'sma1' },
      timestamp: TS,
    }));
    const { documents: docs, warnings } = toEmfDocuments('N', many);
    expect(warnings).toEqual([]);
    const counts = docs.map(
      (d) =>
        (d._aws as { CloudWatchMetrics: Array<{ Metrics: unknown[] }> }).CloudWatchMetrics[0]!.Metrics.length,
    );
    expect(counts).toEqual([100, 100, 50]);
    expect(docs[2]).toMatchObject({ Appliance: 'sma1', Metric249: 249 });
  });

  it('reports a failed write as a typed error instead of throwing', async () => {
    const out = new PassThrough();
    out.destroy();
    const report = await new EmfSink(out, { namespace: 'N' }).put([
      datum('ListenerUp', 1, { Appliance: 'a' }, TS),
    ]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toBeInstanceOf(MetricsPublishError);
    expect(await new EmfSink(out, { namespace: 'N' }).put([])).toMatchObject({ entries: 0, errors: [] });
  });

  it('splits more than 99 values of one metric over documents', () => {
    const data = Array.from({ length: 230 }, (_, i) => datum('ListenerUp', i % 2, { Appliance: 'sma1' }, TS));
    const { documents } = toEmfDocuments('N', data);
    // 99, not EMF's 100: Powertools flushes a metric to stdout on its own at 100 values.
    expect(documents.map((d) => (d.ListenerUp as number[]).length)).toEqual([99, 99, 32]);
  });

  it('adds no dimension of its own (no Powertools service dimension)', () => {
    const { documents } = toEmfDocuments('N', [datum('PathsDown', 0, { Cycle: 'probe' }, TS)]);
    expect(documents).toEqual([
      {
        _aws: {
          Timestamp: Date.parse(TS),
          CloudWatchMetrics: [
            { Namespace: 'N', Dimensions: [['Cycle']], Metrics: [{ Name: 'PathsDown', Unit: 'Count' }] },
          ],
        },
        Cycle: 'probe',
        PathsDown: 0,
      },
    ]);
  });

  it('keeps negative values (an expired certificate)', () => {
    const { documents } = toEmfDocuments('N', [
      datum('CertificateDaysRemainingMin', -12, { Role: 'sma' }, TS),
    ]);
    expect(documents[0]).toMatchObject({ Role: 'sma', CertificateDaysRemainingMin: -12 });
  });

  it('reports what CloudWatch would reject: a timestamp older than 14 days, a value that is no number', async () => {
    const old = new Date(Date.now() - 15 * 86_400_000).toISOString();
    const out = new PassThrough();
    const report = await new EmfSink(out, { namespace: 'N' }).put([
      datum('PathsDown', 1, { Cycle: 'probe' }, old),
      datum('ListenersDown', Number.NaN, { Role: 'esa' }, TS),
    ]);
    expect(report.errors.map((e) => e.details.stage)).toEqual(['serialize', 'serialize']);
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(/timestamp/i);
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(
      /ListenersDown: NaN is not a valid number/,
    );
  });

  it('writes appliance records as JSON lines beside the EMF lines and counts their bytes', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const record = {
      record: 'appliance' as const,
      v: 1 as const,
      ts: TS,
      cycle: 'ssh' as const,
      appliance: 'esa1',
      role: 'esa' as const,
      sshCode: 'ok',
      sshMs: 120,
      cpqQueue: 3,
      findings: [],
    };
    const report = await new EmfSink(out, { namespace: 'N' }).put(
      [datum('MonitorHeartbeat', 1, { Cycle: 'ssh' }, TS)],
      [record],
    );
    const lines = chunks
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([record, expect.objectContaining({ MonitorHeartbeat: 1 })]);
    expect(report).toMatchObject({ records: 1, entries: 1, errors: [] });
    expect(report.recordBytes).toBe(Buffer.byteLength(`${JSON.stringify(record)}\n`));
    expect(report.recordBytes + report.emfBytes).toBe(chunks.join('').length);
  });
});
