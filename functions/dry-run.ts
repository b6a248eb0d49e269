/**
 * A cycle that changes nothing: `cpq-monitor verify` invokes each deployed function once with
 * `{ "cycle": ..., "dryRun": true }` to prove it can probe and read from where it runs. The probes
 * and SSH reads are real; alert state is read but never written, nothing is published, no metric
 * (heartbeat included) and no cycle memory is written. What it would have sent is counted.
 */
import type { AlertNotification, Notifier, NotifyResult } from '../shared/alerts/notifier';
import type { AlertRecord } from '../shared/alerts/record';
import type { CycleDeps, CycleReport } from '../shared/cycle/run';
import type { MetricSink, SinkReport } from '../shared/metrics/sink';
import type { AlertStore, PutOutcome } from '../shared/state/alerts/store';
import type { MemoryStore } from '../shared/state/memory/store';

/** Dependencies of a dry run: reads go to the real stores, writes and sends go nowhere. */
export function dryRunDeps(deps: CycleDeps): CycleDeps & { wouldNotify: AlertNotification[] } {
  const wouldNotify: AlertNotification[] = [];
  const notifier: Notifier = {
    notify(n: AlertNotification): Promise<NotifyResult> {
      wouldNotify.push(n);
      return Promise.resolve({ ok: true });
    },
  };
  const store: AlertStore = {
    get: (ids) => deps.store.get(ids),
    listOpen: (options) => deps.store.listOpen(options),
    put: (record: AlertRecord, expectedVersion: number): Promise<PutOutcome> =>
      Promise.resolve({ status: 'written', record: { ...record, version: expectedVersion + 1 } }),
  };
  const memory: MemoryStore = {
    load: (key) => deps.memory.load(key),
    save: () => Promise.resolve(),
  };
  const sink: MetricSink = {
    put: (data): Promise<SinkReport> =>
      Promise.resolve({ data: data.length, entries: 0, records: 0, emfBytes: 0, recordBytes: 0, errors: [] }),
  };
  return { ...deps, notifier, store, memory, sink, wouldNotify };
}

/** Counts per code: how the probes and reads of a dry run ended, for the verify checklist. */
export function dryRunResults(report: CycleReport, wouldNotify: readonly AlertNotification[]) {
  const count = (codes: string[]) =>
    codes.reduce<Record<string, number>>((acc, c) => {
      acc[c] = (acc[c] ?? 0) + 1;
      return acc;
    }, {});
  return {
    probeCodes: count(report.listener.map((o) => o.probe.code)),
    readCodes: count(report.config.map((o) => o.read.code)),
    wouldNotify: wouldNotify.length,
  };
}
