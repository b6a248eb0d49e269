/** Readable and JSON forms of a cycle report, shared by `check` and the demo. */
import type { AlertOutcome } from '../shared/alerts/engine';
import type { CycleReport } from '../shared/cycle/run';
import { isInterrupted } from '../shared/cycle/work';
import { EXIT } from '../shared/errors';
import type { Finding } from '../shared/findings/types';
import { table } from './output';

/** Exit code of a cycle: the worst finding (info counts as ok). */
export function exitCodeOfFindings(findings: readonly Finding[]): number {
  if (findings.some((f) => f.severity === 'critical')) return EXIT.critical;
  if (findings.some((f) => f.severity === 'warning')) return EXIT.warning;
  return EXIT.ok;
}

/**
 * Exit code of a cycle: the worst finding, but work not done before the deadline makes an
 * otherwise clean or warning cycle "unknown" (3): not having looked is not "ok".
 */
export function exitCodeOfCycle(r: Pick<CycleReport, 'findings' | 'skipped'>): number {
  const worst = exitCodeOfFindings(r.findings);
  if (worst === EXIT.critical) return worst;
  return r.skipped.length > 0 ? EXIT.unknown : worst;
}

/** The `check --json` document: `{ findings, alerts, metrics, paths }` plus the cycle's bookkeeping. */
export function cycleJson(r: CycleReport) {
  return {
    kind: r.kind,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    findings: r.findings,
    alerts: r.alerts.alerts.filter((a) => a.status !== 'unchanged' || a.notifications.length > 0),
    metrics: r.metrics.data,
    paths: r.paths,
    explained: r.explained,
    skipped: r.skipped,
    problems: r.problems,
    muted: mutedOf(r),
    acknowledged: acknowledgedOf(r),
  };
}

/** Pages, escalations, reminders and recoveries held back this cycle, and what held them back. */
export function mutedOf(r: Pick<CycleReport, 'alerts'>): Array<{ alert: string; kind: string; by: string }> {
  return r.alerts.alerts.flatMap((a) =>
    a.notifications
      .filter((n) => n.outcome === 'muted')
      .map((n) => ({ alert: a.id, kind: n.kind, by: n.mutedBy ?? 'maintenance' })),
  );
}

/** Open alerts an acknowledgement covers. */
export function acknowledgedOf(
  r: Pick<CycleReport, 'alerts'>,
): Array<{ alert: string; by: string; at: string; reason: string }> {
  return r.alerts.alerts.flatMap((a) =>
    a.ack !== undefined ? [{ alert: a.id, by: a.ack.author, at: a.ack.at, reason: a.ack.reason }] : [],
  );
}

/** What keeps a finding's alert quiet now: a silence, a maintenance window, an acknowledgement. */
export function quietedBy(a: Pick<AlertOutcome, 'muted' | 'ack'> | undefined): string | null {
  if (a === undefined) return null;
  const m = a.muted;
  if (m !== null) {
    const what = m.source === 'silence' ? `silence ${m.silenceId ?? ''}`.trimEnd() : 'maintenance';
    return `muted: ${what} until ${m.until}`;
  }
  return a.ack !== undefined ? `acknowledged by ${a.ack.author}` : null;
}

/**
 * The findings, with a column saying which ones a silence, a maintenance window or an ack keeps
 * quiet (only when one does), and how to see one in full.
 */
function findingsTable(r: CycleReport): string {
  const byId = new Map(r.alerts.alerts.map((a) => [a.id, a]));
  const quiet = r.findings.map((f) => quietedBy(byId.get(f.id)));
  const anyQuiet = quiet.some((q) => q !== null);
  const head = ['severity', 'finding', 'summary', ...(anyQuiet ? ['muted'] : [])];
  const rows = r.findings.map((f, i) => [
    f.severity,
    f.id,
    f.summary,
    ...(anyQuiet ? [quiet[i] ?? '-'] : []),
  ]);
  return `${table(head, rows)}\n(one finding in full, evidence and fix: cpq-monitor alerts FINDING-ID with the same --inventory or --state)`;
}

/** A compact readable summary of a cycle. */
export function renderCycle(r: CycleReport): string {
  const out: string[] = [];
  const probes = r.listener.length;
  const reads = r.config.length;
  out.push(
    `cycle ${r.kind} at ${r.startedAt}: ${r.appliances.length} appliances, ${probes} probes, ${reads} SSH reads in ${(r.durationMs / 1000).toFixed(2)} s`,
  );
  if (r.findings.length === 0) {
    out.push(
      r.skipped.length === 0
        ? 'no findings: every check passed'
        : 'no findings in what was done before the deadline (see below)',
    );
  } else {
    out.push(findingsTable(r));
  }
  if (r.paths.length > 0) {
    out.push(
      table(
        ['path', 'state', 'why'],
        r.paths.map((p) => [p.id, p.state, p.reason]),
      ),
    );
  }
  const a = r.alerts;
  out.push(
    `alerts: ${a.sent} sent, ${a.failed} failed (kept for the next cycle), ${a.retried} retried, ${a.muted} muted (maintenance, silences, acknowledgements)`,
  );
  const muted = mutedOf(r);
  if (muted.length > 0) {
    out.push(
      table(
        ['muted alert', 'would have sent', 'held back by'],
        muted.map((m) => [m.alert, m.kind, m.by]),
      ),
    );
  }
  const acked = acknowledgedOf(r);
  if (acked.length > 0) {
    out.push(
      table(
        ['acknowledged alert', 'by', 'at', 'reason'],
        acked.map((k) => [k.alert, k.by, k.at, k.reason]),
      ),
    );
  }
  const m = r.metrics.report;
  out.push(
    `metrics: ${m.data} data points as ${m.entries} EMF documents, ${m.records} appliance records (${m.emfBytes + m.recordBytes} bytes)`,
  );
  if (r.explained.length > 0)
    out.push(`folded into another finding: ${r.explained.map((e) => `${e.id} (by ${e.by})`).join(', ')}`);
  if (r.skipped.length > 0) {
    // Work cut off by SIGINT/SIGTERM says so in its label; the rest ran out of time.
    const why = r.skipped.some(isInterrupted)
      ? 'interrupted or not done in time'
      : 'not done before the deadline';
    out.push(`${why}: ${r.skipped.join(', ')}`);
  }
  for (const p of r.problems) out.push(`problem: ${p}`);
  return out.join('\n');
}
