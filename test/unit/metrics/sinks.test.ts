import { PassThrough } from 'node:stream';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  CloudWatchSink,
  isRetryable,
  PUT_METRIC_DATA_LIMITS,
  packRequests,
  toCloudWatchEntries,
} from '../../../shared/metrics/cloudwatch-sink';
import { datum, type MetricDatum } from '../../../shared/metrics/datum';
import { EmfSink, toEmfDocuments } from '../../../shared/metrics/emf-sink';
import { MetricsPublishError } from '../../../shared/metrics/sink';

const cw = mockClient(CloudWatchClient);
const TS = '2026-03-02T10:00:00.000Z';
beforeEach(() => {
  cw.reset();
  cw.on(PutMetricDataCommand).resolves({});
});

/** `n` data of distinct series (one per appliance). */
function distinct(n: number, name: MetricDatum['name'] = 'ListenerUp'): MetricDatum[] {
  return Array.from({ length: n }, (_, i) => datum(name, 1, { Appliance: `esa${i}` }, TS));
}

function sink(
  extra: { sleep?: (ms: number) => Promise<void>; random?: () => number; maxAttempts?: number } = {},
) {
  return new CloudWatchSink(new CloudWatchClient({ region: 'eu-west-1' }), {
    namespace: 'CPQMonitor',
    sleep: extra.sleep ?? (async () => {}),
    random: extra.random ?? (() => 0.5),
    ...(extra.maxAttempts ? { maxAttempts: extra.maxAttempts } : {}),
  });
}

function throttle(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'Throttling',
    $metadata: { httpStatusCode: 400 },
  });
}

describe('CloudWatchSink batching', () => {
  it('ships 2,500 distinct data in the minimum 3 calls (1,000 + 1,000 + 500)', async () => {
    const report = await sink().put(distinct(2500));
    expect(report).toEqual({ data: 2500, entries: 2500, requests: 3, calls: 3, retries: 0, errors: [] });
    const sizes = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData!.length);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(cw).toHaveReceivedCommandWith(PutMetricDataCommand, { Namespace: 'CPQMonitor' });
    const first = cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input.MetricData![0]!;
    expect(first).toEqual({
      MetricName: 'ListenerUp',
      Unit: 'None',
      Value: 1,
      Timestamp: new Date(TS),
      Dimensions: [{ Name: 'Appliance', Value: 'esa0' }],
    });
  });

  it('merges repeats of one series into Values/Counts, cutting entries and calls', async () => {
    // 3,000 probes of 10 listeners from many peers: 10 entries in one call instead of 3 calls.
    const data = Array.from({ length: 3000 }, (_, i) =>
      datum('HandshakeLatency', 20 + (i % 3), { Appliance: `sma${i % 10}` }, TS),
    );
    const report = await sink().put(data);
    expect(report).toMatchObject({ data: 3000, entries: 10, requests: 1, calls: 1 });
    const entry = cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input.MetricData![0]!;
    expect(entry).toMatchObject({
      MetricName: 'HandshakeLatency',
      Values: [20, 21, 22],
      Counts: [100, 100, 100],
    });
    expect(entry.Value).toBeUndefined();
  });

  it('splits Values beyond 150 distinct values per entry', () => {
    const data = Array.from({ length: 400 }, (_, i) =>
      datum('HandshakeLatency', i, { Appliance: 'sma1' }, TS),
    );
    const entries = toCloudWatchEntries(data);
    expect(entries.map((e) => e.Values!.length)).toEqual([150, 150, 100]);
  });

  it('keeps different timestamps or dimensions apart', () => {
    const entries = toCloudWatchEntries([
      datum('ListenerUp', 1, { Appliance: 'a' }, TS),
      datum('ListenerUp', 1, { Appliance: 'a' }, '2026-03-02T10:01:00.000Z'),
      datum('ListenerUp', 1, { Appliance: 'b' }, TS),
    ]);
    expect(entries).toHaveLength(3);
  });

  it('packs under the payload limit when entries are large', () => {
    const big = Array.from({ length: 1000 }, (_, i) =>
      datum('ListenerUp', 1, { Appliance: `esa${i}-${'x'.repeat(1000)}` }, TS),
    );
    const batches = packRequests('CPQMonitor', toCloudWatchEntries(big));
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      expect(
        Buffer.byteLength(JSON.stringify({ Namespace: 'CPQMonitor', MetricData: b })),
      ).toBeLessThanOrEqual(PUT_METRIC_DATA_LIMITS.payloadBytes);
    }
    expect(batches.flat()).toHaveLength(1000);
    // The minimum: one more request would not be needed if every batch is (nearly) full.
    const total = batches.flat().reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)) + 1, 0);
    expect(batches.length).toBe(Math.ceil(total / PUT_METRIC_DATA_LIMITS.payloadBytes));
  });

  it('makes no call for no data', async () => {
    expect(await sink().put([])).toMatchObject({ calls: 0, requests: 0 });
    expect(cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });
});

describe('CloudWatchSink retries', () => {
  it('retries throttling and 5xx with exponential backoff and full jitter', async () => {
    cw.on(PutMetricDataCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(
        Object.assign(new Error('oops'), {
          name: 'InternalServiceFault',
          $metadata: { httpStatusCode: 500 },
        }),
      )
      .rejectsOnce(
        Object.assign(new Error('busy'), {
          name: 'Unknown',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
        }),
      )
      .resolves({});
    const waits: number[] = [];
    const report = await sink({ sleep: async (ms) => void waits.push(ms), random: () => 0.5 }).put(
      distinct(10),
    );
    expect(report).toMatchObject({ calls: 4, retries: 3, requests: 1, errors: [] });
    // Ceilings 100, 200, 400 ms; jitter 0.5 → half of each.
    expect(waits).toEqual([50, 100, 200]);
  });

  it('caps the backoff ceiling at maxDelayMs', async () => {
    cw.on(PutMetricDataCommand).rejects(throttle());
    const waits: number[] = [];
    const s = new CloudWatchSink(new CloudWatchClient({ region: 'eu-west-1' }), {
      namespace: 'N',
      maxAttempts: 8,
      baseDelayMs: 1000,
      maxDelayMs: 3000,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.999,
    });
    await s.put(distinct(1));
    expect(waits).toEqual([999, 1998, 2997, 2997, 2997, 2997, 2997]);
  });

  it('returns a typed error after the last retry and still ships the other requests', async () => {
    let call = 0;
    cw.on(PutMetricDataCommand).callsFake(async () => {
      call++;
      if (call <= 3) throw throttle(); // request 1: every attempt throttled
      return {};
    });
    const report = await sink({ maxAttempts: 3 }).put(distinct(1500));
    expect(report).toMatchObject({ requests: 2, calls: 4, retries: 2 });
    expect(report.errors).toHaveLength(1);
    const err = report.errors[0]!;
    expect(err).toBeInstanceOf(MetricsPublishError);
    expect(err.code).toBe('metrics_publish_failed');
    expect(err.details).toEqual({
      request: 0,
      entries: 1000,
      attempts: 3,
      errorName: 'Throttling',
      retryable: true,
    });
    expect(err.message).toMatch(/request 1\/2 \(1000 entries\) failed after 3 attempt\(s\): Throttling/);
  });

  it('does not retry a request the service rejected as invalid', async () => {
    cw.on(PutMetricDataCommand).rejects(
      Object.assign(new Error('bad value'), {
        name: 'InvalidParameterValueException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const report = await sink().put(distinct(5));
    expect(report).toMatchObject({ calls: 1, retries: 0 });
    expect(report.errors[0]!.details).toMatchObject({ attempts: 1, retryable: false });
  });

  it('classifies retryable errors', () => {
    expect(isRetryable(throttle())).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error(), { $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(
      isRetryable(Object.assign(new Error(), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })),
    ).toBe(false);
  });
});

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
    expect(report).toMatchObject({ data: 4, entries: 3, calls: 0, errors: [] });
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
    expect(toEmfDocuments('N', repeated)).toEqual([expect.objectContaining({ ListenerUp: [1, 0, 1] })]);
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
    const docs = toEmfDocuments('N', many);
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
    expect(await new EmfSink(out, { namespace: 'N' }).put([])).toMatchObject({ requests: 0, errors: [] });
  });

  it('splits more than 100 values of one metric over documents', () => {
    const data = Array.from({ length: 230 }, (_, i) => datum('ListenerUp', i % 2, { Appliance: 'sma1' }, TS));
    const docs = toEmfDocuments('N', data);
    expect(docs.map((d) => (d.ListenerUp as number[]).length)).toEqual([100, 100, 30]);
  });
});
