/**
 * One monitoring cycle: inventory → observations (probes, SSH reads) → findings → alerts and
 * metrics. The only place that wires the rooms together; every step below is a call into one.
 * One deadline bounds the whole cycle; one appliance's failure never stops the others; what
 * could not be done before the deadline is reported, not hidden.
 */

import { type AlertReport, processAlerts } from '../alerts/engine';
import { type IntermittentMemory, trackIntermittent } from '../alerts/intermittent';
import type { Notifier } from '../alerts/notifier';
import { muteResolver } from '../alerts/silences';
import { type CallOptions, deadlineSignal } from '../aws/client-config';
import { MONITOR_SUBJECT } from '../findings/credential-rules';
import { evaluateFindings } from '../findings/evaluate';
import { endsOf } from '../findings/ids';
import type { ExplainedFinding, Finding, FindingsMemory, PathState } from '../findings/types';
import type { Inventory } from '../inventory/schema';
import { applianceNamed } from '../inventory/topology';
import type { Logger } from '../log';
import type { MetricDatum } from '../metrics/datum';
import { type MetricsForCycleInput, metricsForCycle } from '../metrics/from-observations';
import { applianceRecords } from '../metrics/records';
import type { MetricSink, SinkReport } from '../metrics/sink';
import type { ConfigObservation, ListenerObservation, Observation } from '../observations';
import { type CycleKind, cycleRuns, PROBER_KINDS, PROBER_ORDER, type ProberKind } from '../prober/prober';
import type { AlertStore } from '../state/alerts/store';
import type { CyclePart, MemoryStore } from '../state/memory/store';
import type { OperatorState, OperatorStore } from '../state/operators/store';
import type { CredentialResolver } from './credentials';
import { type CycleProber, type Learned, learnedIn, type ProberScope } from './cycle-prober';
import { loadOperators } from './operators';
import { loadParts, type Parts, recall, recallIntermittent, saveParts } from './recall';
import { isContext, reportsAbout, retriesFor, type Shard, selectShard } from './shard';
import { runBounded, type WorkBounds } from './work';

export type { CycleKind } from '../prober/prober';

export interface CycleInput {
  inventory: Inventory;
  kind: CycleKind;
  /** Appliances this invocation owns (a shard); default every enabled appliance. */
  appliances?: readonly string[];
  /** Names this invocation's memory (e.g. `shard-0-of-3`); default `all`. */
  memoryKey?: string;
  /** The scheduled shard, named in each appliance record; absent in local runs. */
  shard?: { index: number; count: number };
  /** Epoch ms by which the cycle must be done, alerts and metrics included. */
  deadline: number;
  /**
   * Time kept after the probes and reads for alerts, metrics and memory; default 5000 ms. Of the
   * tail, the last TAIL_MS.memory is the memory's and the TAIL_MS.metrics before it the metrics';
   * the alerts get the rest (and whatever the probes and reads left unused).
   */
  tailReserveMs?: number;
  /** Directory that relative files of the inventory (CA bundles) are resolved against. */
  baseDir?: string;
  /**
   * Ends the cycle early (SIGINT/SIGTERM in the CLI): no further probe or read starts, those in
   * flight are ended at once and their outcomes discarded (an interrupted probe says nothing about
   * the appliance: no finding, no page), and the alert and memory stages still run, so state and
   * memory are saved together. Work not started is listed as skipped, work cut short as
   * `<work> (interrupted)`.
   */
  signal?: AbortSignal;
}

export interface CycleDeps {
  /**
   * The probers this entry point runs (listenerProbes, sshReads; ALL_PROBERS for both), in any
   * order: a cycle runs those of its kind in PROBER_ORDER. A kind the cycle needs and no prober
   * given for it is a programming error.
   */
  probers: readonly CycleProber[];
  store: AlertStore;
  notifier: Notifier;
  sink: MetricSink;
  memory: MemoryStore;
  /** On-call's silences and acknowledgements, read each cycle; none when absent. */
  operators?: OperatorStore;
  credentials: CredentialResolver;
  logger?: Logger;
  now?: () => Date;
}

export interface CycleReport {
  kind: CycleKind;
  startedAt: string;
  durationMs: number;
  /** Appliances this cycle owned. */
  appliances: string[];
  /** Appliances read only to give the cross-appliance rules their peer (not judged here). */
  context: string[];
  /** Work not started before the deadline: `probe <appliance>` / `ssh <appliance>`. */
  skipped: string[];
  /** Names asked for that the inventory does not have or that are disabled. */
  unknownAppliances: string[];
  listener: ListenerObservation[];
  config: ConfigObservation[];
  findings: Finding[];
  explained: ExplainedFinding[];
  checked: string[];
  paths: PathState[];
  alerts: AlertReport;
  metrics: { data: MetricDatum[]; report: SinkReport };
  /** Problems of the cycle itself (memory unreadable, a CA file missing...), one sentence each. */
  problems: string[];
}

/**
 * The end of the cycle, split between its last stages: the cycle memory is saved in the last
 * `memory` ms, the metrics shipped in the `metrics` ms before; the alerts end before both. Every
 * AWS call of a stage is aborted at the stage's end (its SDK client also bounds each attempt and
 * the retries: shared/aws/client-config.ts), so a store or topic that never answers costs the
 * stage its time, never the cycle its summary. Loading the memory at the start gets `load` ms.
 */
export const TAIL_MS = { metrics: 1000, memory: 1000, load: 5000 } as const;

/** Runs one cycle. Never throws for an appliance's failure; throws only for a broken inventory selection. */
export async function runCycle(input: CycleInput, deps: CycleDeps): Promise<CycleReport> {
  const inv = input.inventory;
  const clock = deps.now ?? (() => new Date());
  const started = clock();
  const startedMs = Date.now();
  const problems: string[] = [];
  const memoryKey = input.memoryKey ?? 'all';
  const probers = probersOf(deps.probers, input.kind);
  const { bounds, interrupt } = workBounds(input);

  const shard = selectShard(inv, cycleRuns(input.kind, 'ssh'), input.appliances);
  if (shard.unknown.length > 0) {
    problems.push(`asked for appliances not enabled in the inventory: ${shard.unknown.join(', ')}`);
  }

  // Memory: each prober's kind owns its part; every part is read.
  const loadBy = Math.min(Date.now() + TAIL_MS.load, input.deadline - TAIL_MS.memory);
  const parts = await loadParts(deps.memory, memoryKey, problems, loadBy);

  const problem = (p: string) => problems.push(p);
  const scope = {
    inventory: inv,
    shard,
    baseDir: input.baseDir ?? '.',
    problem,
    credentials: deps.credentials,
  };
  const seen = await observe(probers, scope, parts, bounds);
  // Past the I/O an interrupt changes nothing; `check --watch` hands every cycle the same signal.
  input.signal?.removeEventListener('abort', interrupt);
  const listener = seen.observations.filter((o): o is ListenerObservation => o.kind === 'listener');
  const config = seen.observations.filter((o): o is ConfigObservation => o.kind === 'config');
  const ownConfig = config.filter((o) => !isContext(shard, o.appliance));

  const now = clock();
  const { evaluated, findings, checked } = judge(inv, now, shard, { listener, config }, recall(parts));

  const operators = await loadOperators(deps.operators, problems);
  // Intermittent failures: each cycle kind keeps the windows of the checks it evaluates.
  const intermittent = trackIntermittent({
    prev: recallIntermittent(parts, input.kind),
    findings,
    checked,
    policy: inv.alerting.intermittent,
    failuresBeforePage: inv.alerting.failuresBeforePage,
    roleOf: (name) => applianceNamed(inv, name)?.role ?? 'esa',
  });

  const metricsStart = input.deadline - TAIL_MS.memory - TAIL_MS.metrics;
  const judged = {
    findings: [...findings, ...intermittent.findings],
    checked: [...checked, ...intermittent.checked],
  };
  const alerts = await alert(inv, shard, judged, now, operators, deps, metricsStart);
  problems.push(...alertProblems(alerts));

  // Metrics go out as EMF lines on stdout: no AWS call, nothing a silent endpoint could hold.
  const own = { listener, config: ownConfig, findings, paths: evaluated.paths };
  const counts = {
    pages: { sent: alerts.sent, failed: alerts.failed },
    operatorEntriesDropped: operators.dropped,
  };
  const metrics = await shipMetrics(input, own, shard, now, bounds, deps.sink, counts);
  for (const e of metrics.report.errors) problems.push(`metrics not shipped: ${e.message}`);

  // Memory: what this cycle learned, for the next one; each prober's kind saves its own part.
  const mine = partsOf(probers, shard, evaluated.memory, seen.learnedBy, intermittent.memory);
  const save: CallOptions = { abortSignal: deadlineSignal(input.deadline) };
  await saveParts(deps.memory, memoryKey, mine, clock, problems, save);

  for (const p of problems) deps.logger?.warn({ problem: p }, 'cycle problem');
  return {
    kind: input.kind,
    startedAt: started.toISOString(),
    durationMs: Date.now() - startedMs,
    appliances: shard.owned.map((a) => a.name),
    context: shard.context.map((a) => a.name),
    skipped: bounds.skipped,
    unknownAppliances: shard.unknown,
    listener,
    config: ownConfig,
    findings,
    explained: evaluated.explained,
    checked,
    paths: evaluated.paths,
    alerts,
    metrics,
    problems,
  };
}

/**
 * The bounds of the probes and reads: the deadline less the tail kept for alerts, metrics and
 * memory; an abort of the input's signal moves that deadline to now (`interrupt`, to let go of).
 */
function workBounds(input: CycleInput): { bounds: WorkBounds; interrupt: () => void } {
  const bounds: WorkBounds = {
    concurrency: input.inventory.monitor.concurrency,
    deadline: input.deadline - (input.tailReserveMs ?? 5000),
    skipped: [],
    ...(input.signal !== undefined ? { signal: input.signal } : {}),
  };
  const interrupt = () => {
    bounds.deadline = Math.min(bounds.deadline, Date.now());
  };
  if (input.signal?.aborted) interrupt();
  input.signal?.addEventListener('abort', interrupt, { once: true });
  return { bounds, interrupt };
}

/** This cycle's memory parts: each prober's findings memory, what it learned, the windows. */
function partsOf(
  probers: readonly CycleProber[],
  shard: Shard,
  memory: FindingsMemory,
  learnedBy: Partial<Record<ProberKind, Learned>>,
  intermittent: IntermittentMemory,
): Partial<Record<ProberKind, Omit<CyclePart, 'savedAt'>>> {
  const out: Partial<Record<ProberKind, Omit<CyclePart, 'savedAt'>>> = {};
  for (const p of probers) {
    out[p.kind] = { findings: p.remember(memory, shard), ...learnedBy[p.kind], intermittent };
  }
  return out;
}

/** The probers a cycle of `kind` runs, in PROBER_ORDER. */
function probersOf(given: readonly CycleProber[], kind: CycleKind): CycleProber[] {
  return PROBER_ORDER.filter((k) => cycleRuns(kind, k)).map((k) => {
    const prober = given.find((p) => p.kind === k);
    if (prober === undefined) throw new Error(`a ${kind} cycle runs the ${k} prober, and none was given`);
    return prober;
  });
}

/**
 * The probers' work, one prober after the other under the cycle's bounds. What a prober learns
 * from the shard's own appliances (with what its memory part kept) goes to the probers after it;
 * a prober that does not run this cycle still hands on what its part kept.
 */
async function observe(
  probers: readonly CycleProber[],
  scope: Omit<ProberScope, 'learned'>,
  parts: Parts,
  bounds: WorkBounds,
): Promise<{ observations: Observation[]; learnedBy: Partial<Record<ProberKind, Learned>> }> {
  let learned: Learned = {};
  for (const kind of PROBER_KINDS) learned = { ...learned, ...learnedIn(parts[kind]) };
  const observations: Observation[] = [];
  const learnedBy: Partial<Record<ProberKind, Learned>> = {};
  for (const p of probers) {
    const work = p.plan({ ...scope, learned });
    const seen = await runBounded(
      work,
      bounds,
      (w) => w.label,
      (w, left, signal) => w.run(left, signal),
    );
    observations.push(...seen);
    if (p.learn === undefined) continue;
    const own = seen.filter((o) => !isContext(scope.shard, o.appliance));
    learnedBy[p.kind] = p.learn(learnedIn(parts[p.kind]), own);
    learned = { ...learned, ...learnedBy[p.kind] };
  }
  return { observations, learnedBy };
}

/** The rules over what the cycle saw, and the findings and checks that are this shard's to report. */
function judge(
  inv: Inventory,
  now: Date,
  shard: Shard,
  seen: { listener: ListenerObservation[]; config: ConfigObservation[] },
  memory: FindingsMemory,
) {
  const evaluated = evaluateFindings({
    inventory: inv,
    now,
    ...seen,
    memory,
    context: shard.context.map((a) => a.name),
    // A shard reports the paths into the listeners it owns (PathsDown counts those).
    ...(shard.named ? { pathsInto: shard.ownedNames } : {}),
  });
  // Context appliances were read for their peers' sake: their own findings belong to their shard.
  const owns = (id: string) => reportsAbout(shard, endsOf(id));
  return {
    evaluated,
    findings: evaluated.findings.filter((f) => owns(f.id)),
    checked: evaluated.checked.filter(owns),
  };
}

/** The alert stage: this shard's findings through the state machine, pages and recoveries out. */
function alert(
  inv: Inventory,
  shard: Shard,
  { findings, checked }: { findings: Finding[]; checked: string[] },
  now: Date,
  operators: OperatorState,
  deps: CycleDeps,
  deadline: number,
): Promise<AlertReport> {
  const retries = retriesFor(shard);
  const acks = new Map(operators.acks.map((a) => [a.alertId, a]));
  // Every appliance an alert this shard may step can be filed under (a record's `appliance` is its
  // finding's, one end of its id, or `monitor` for a cause on the monitor's side, which any shard
  // may raise or recover): the store lists the open alerts of these and no others.
  const appliances = new Set([...shard.ownedNames, ...shard.contextNames, MONITOR_SUBJECT]);
  for (const f of findings) appliances.add(f.appliance);
  for (const id of [...checked, ...findings.map((f) => f.id)]) for (const a of endsOf(id)) appliances.add(a);
  return processAlerts({
    findings,
    checked,
    appliances: [...appliances],
    now,
    policy: inv.alerting,
    muteFor: muteResolver(inv, operators.silences, now, inv.alerting.maxSilenceDays),
    ackFor: (id) => acks.get(id),
    store: deps.store,
    notifier: deps.notifier,
    deadline,
    ...(retries !== undefined ? { retriesFor: (r: { id: string }) => retries(endsOf(r.id)) } : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
  });
}

/** What a cycle saw of its own appliances, as the metrics and appliance records need it. */
interface SeenByCycle {
  listener: ListenerObservation[];
  config: ConfigObservation[];
  findings: Finding[];
  paths: PathState[];
}

/**
 * The metrics stage: this shard's data to the sink. The heartbeat says "this cycle did all its
 * work": a cycle that ran out of time sends none, so the watchdog's missing-heartbeat alarm also
 * catches a monitor that can no longer keep up.
 */
async function shipMetrics(
  input: CycleInput,
  { listener, config, findings, paths }: SeenByCycle,
  shard: Shard,
  now: Date,
  bounds: WorkBounds,
  sink: MetricSink,
  counts: Pick<MetricsForCycleInput, 'pages' | 'operatorEntriesDropped'>,
): Promise<CycleReport['metrics']> {
  const inv = input.inventory;
  const data = metricsForCycle({
    inventory: inv,
    listener,
    config,
    findings,
    paths,
    owned: shard.owned.map((a) => a.name),
    now,
    cycle: input.kind,
    ...counts,
  }).filter((d) => bounds.skipped.length === 0 || d.name !== 'MonitorHeartbeat');
  const records = applianceRecords({
    inventory: inv,
    listener,
    config,
    findings,
    now,
    ...(input.shard !== undefined ? { shard: input.shard } : {}),
  });
  return { data, report: await sink.put(data, records) };
}

/** What the alert stage could not do, one sentence each: the cycle's problems. */
function alertProblems(alerts: AlertReport): string[] {
  const out: string[] = [];
  if (alerts.error !== undefined) out.push(`alerts not processed: ${alerts.error}`);
  for (const a of alerts.alerts) {
    for (const n of a.notifications) {
      if (n.outcome !== 'failed') continue;
      out.push(
        `${n.kind} ${n.notificationId ?? '?'} of alert ${a.id} not delivered (attempt ${n.attempts}, retried next cycle): ${n.error ?? 'unknown error'}`,
      );
    }
    if (a.status === 'error') out.push(`alert ${a.id} not processed: ${a.error ?? 'unknown error'}`);
  }
  const deferred = alerts.alerts.filter((a) => a.status === 'deferred').map((a) => a.id);
  if (deferred.length > 0) {
    out.push(`alerts left for the next cycle (deadline reached): ${deferred.join(', ')}`);
  }
  return out;
}
