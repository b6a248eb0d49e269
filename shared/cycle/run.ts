/**
 * One monitoring cycle: inventory → observations (probes, SSH reads) → findings → alerts and
 * metrics. The only place that wires the rooms together; every step below is a call into one.
 * One deadline bounds the whole cycle; one appliance's failure never stops the others; what
 * could not be done before the deadline is reported, not hidden.
 */

import { type AlertReport, processAlerts } from '../alerts/engine';
import { type IntermittentMemory, trackIntermittent } from '../alerts/intermittent';
import type { Notifier } from '../alerts/notifier';
import { honouredSilences, muteResolver } from '../alerts/silences';
import { type ReaderDeps, readAppliance } from '../asyncos/reader';
import type { ReadResult, SshAuth } from '../asyncos/types';
import { type CallOptions, DeadlineError, deadlineSignal } from '../aws/client-config';
import { errorMessage } from '../errors';
import { CREDENTIALS_UNAVAILABLE_SEVERITY, MONITOR_SUBJECT } from '../findings/credential-rules';
import { evaluateFindings } from '../findings/evaluate';
import { endsOf } from '../findings/ids';
import type { ExplainedFinding, Finding, FindingsMemory, PathState } from '../findings/types';
import type { Appliance, Inventory } from '../inventory/schema';
import type { Logger } from '../log';
import type { MetricDatum } from '../metrics/datum';
import { metricsForCycle } from '../metrics/from-observations';
import { applianceRecords } from '../metrics/records';
import type { MetricSink, SinkReport } from '../metrics/sink';
import type { ConfigObservation, ListenerObservation } from '../observations';
import { probeListener } from '../probes/probe';
import type { AlertStore } from '../state/alerts/store';
import type { CyclePart, MemoryStore } from '../state/memory/store';
import { loadOperatorState, type OperatorState, type OperatorStore } from '../state/operators/store';
import { caFileReader } from './ca-files';
import { type CredentialResolver, CredentialsError } from './credentials';
import { learnOutbound } from './learn';
import { type PlannedProbe, planCommands, planProbes } from './plan';
import { isContext, ownSshMemory, reportsAbout, retriesFor, type Shard, selectShard } from './shard';
import { runBounded, type WorkBounds } from './work';

export type CycleKind = 'probe' | 'ssh' | 'full';

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
  store: AlertStore;
  notifier: Notifier;
  sink: MetricSink;
  memory: MemoryStore;
  /** On-call's silences and acknowledgements, read each cycle; none when absent. */
  operators?: OperatorStore;
  credentials: CredentialResolver;
  logger?: Logger;
  now?: () => Date;
  readerDeps?: ReaderDeps;
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
  const doProbes = input.kind !== 'ssh';
  const doReads = input.kind !== 'probe';
  const bounds: WorkBounds = {
    concurrency: inv.monitor.concurrency,
    deadline: input.deadline - (input.tailReserveMs ?? 5000),
    skipped: [],
    ...(input.signal !== undefined ? { signal: input.signal } : {}),
  };
  const interrupt = () => {
    bounds.deadline = Math.min(bounds.deadline, Date.now());
  };
  if (input.signal?.aborted) interrupt();
  input.signal?.addEventListener('abort', interrupt, { once: true });

  const shard = selectShard(inv, doReads, input.appliances);
  if (shard.unknown.length > 0) {
    problems.push(`asked for appliances not enabled in the inventory: ${shard.unknown.join(', ')}`);
  }

  // Memory: each kind owns its part; both parts are read.
  const parts = await loadParts(
    deps.memory,
    memoryKey,
    problems,
    Math.min(Date.now() + TAIL_MS.load, input.deadline - TAIL_MS.memory),
  );
  const memory = recall(parts);

  // Reads first: what they show of each appliance's outbound TLS (cipher list and methods) is
  // what the probes offer on its behalf.
  const config = doReads ? await readAll([...shard.sshOwned, ...shard.context], inv, deps, bounds) : [];
  const ownConfig = config.filter((o) => !isContext(shard, o.appliance));
  const outbound = learnOutbound(parts.ssh ?? {}, ownConfig);
  const listener = doProbes
    ? await probeAll(
        planProbes(inv, shard.owned, {
          ...outbound,
          ca: caFileReader(input.baseDir ?? '.', (p) => problems.push(p)),
          timeoutMs: inv.monitor.probeTimeoutMs,
        }),
        bounds,
      )
    : [];
  // Past the I/O an interrupt changes nothing; `check --watch` hands every cycle the same signal.
  input.signal?.removeEventListener('abort', interrupt);

  const now = clock();
  const evaluated = evaluateFindings({
    inventory: inv,
    now,
    listener,
    config,
    memory,
    context: shard.context.map((a) => a.name),
    // A shard reports the paths into the listeners it owns (PathsDown counts those).
    ...(shard.named ? { pathsInto: shard.ownedNames } : {}),
  });
  // Context appliances were read for their peers' sake: their own findings belong to their shard.
  const owns = (id: string) => reportsAbout(shard, endsOf(id));
  const findings = evaluated.findings.filter((f) => owns(f.id));
  const checked = evaluated.checked.filter(owns);

  const operators = await loadOperators(deps.operators, problems);
  // Intermittent failures: each cycle kind keeps the windows of the checks it evaluates.
  const intermittent = trackIntermittent({
    prev: recallIntermittent(parts, input.kind),
    findings,
    checked,
    policy: inv.alerting.intermittent,
    failuresBeforePage: inv.alerting.failuresBeforePage,
    roleOf: (name) => inv.appliances.find((a) => a.name === name)?.role ?? 'esa',
  });

  const memoryStart = input.deadline - TAIL_MS.memory;
  const metricsStart = memoryStart - TAIL_MS.metrics;
  const alerts = await alert(
    inv,
    shard,
    [...findings, ...intermittent.findings],
    [...checked, ...intermittent.checked],
    now,
    operators,
    deps,
    metricsStart,
  );
  problems.push(...alertProblems(alerts));

  // Metrics go out as EMF lines on stdout: no AWS call, nothing a silent endpoint could hold.
  const seen = { listener, config: ownConfig, findings, paths: evaluated.paths };
  const pages = { sent: alerts.sent, failed: alerts.failed };
  const metrics = await shipMetrics(input, seen, shard, now, bounds, deps.sink, pages);
  for (const e of metrics.report.errors) problems.push(`metrics not shipped: ${e.message}`);

  // Memory: what this cycle learned, for the next one.
  const save: CallOptions = { abortSignal: deadlineSignal(input.deadline) };
  if (doProbes) {
    const part = { findings: { listeners: evaluated.memory.listeners }, intermittent: intermittent.memory };
    await saveParts(deps.memory, `probe/${memoryKey}`, part, clock, problems, save);
  }
  if (doReads) {
    const part = {
      findings: ownSshMemory(shard, evaluated.memory),
      ...outbound,
      intermittent: intermittent.memory,
    };
    await saveParts(deps.memory, `ssh/${memoryKey}`, part, clock, problems, save);
  }

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

async function readOne(
  inv: Inventory,
  a: Appliance,
  timeoutMs: number,
  deps: CycleDeps,
  signal: AbortSignal,
): Promise<ReadResult> {
  const ssh = a.ssh!;
  const startedAt = new Date().toISOString();
  let auth: Awaited<ReturnType<CredentialResolver>>;
  try {
    // A secret store that never answers must not hold the read past its time.
    auth = await beforeDeadline(deps.credentials(a), Date.now() + timeoutMs, signal);
  } catch (err) {
    // The appliance was never contacted: say why in the result the rules read.
    const why =
      err instanceof CredentialsError ? err.message : `cannot get credentials: ${errorMessage(err)}`;
    return {
      host: a.host,
      port: ssh.port,
      // The finding's severity, so the read result and the page it raises agree.
      status: CREDENTIALS_UNAVAILABLE_SEVERITY,
      code: 'credentials_unavailable',
      message: `No SSH login was attempted: ${why}.`,
      hostKey: null,
      startedAt,
      timings: { totalMs: 0 },
      commands: {},
    };
  }
  const started = Date.now();
  const read = (with_: SshAuth, ms: number) =>
    readAppliance(
      {
        host: a.host,
        port: ssh.port,
        username: ssh.user,
        auth: with_,
        hostKeys: ssh.hostKeys,
        commands: planCommands(a, inv),
        timeoutMs: ms,
        signal,
      },
      deps.readerDeps,
    );
  const first = await read(auth, timeoutMs);
  // A refused login with a cached Secrets Manager secret may be a rotated password: fetch the
  // secret again and retry once in this cycle. Only a second refusal, with the fresh secret,
  // is reported (docs/deploy.md, "SSH secrets: cache and rotation").
  if (first.code !== 'auth_failed' || ssh.credentials.secretId === undefined) return first;
  const left = timeoutMs - (Date.now() - started);
  if (left <= 0 || signal.aborted) return first;
  let fresh: SshAuth;
  try {
    fresh = await beforeDeadline(deps.credentials(a, auth), Date.now() + left, signal);
  } catch {
    return first;
  }
  // The same secret as before: the login was refused for another reason; do not knock twice.
  if (JSON.stringify(fresh) === JSON.stringify(auth)) return first;
  return read(fresh, left);
}

/** The SSH reads of the given appliances, under the cycle's deadline. */
function readAll(
  targets: readonly Appliance[],
  inv: Inventory,
  deps: CycleDeps,
  bounds: WorkBounds,
): Promise<ConfigObservation[]> {
  return runBounded(
    targets,
    bounds,
    (a) => `ssh ${a.name}`,
    async (a, left, signal): Promise<ConfigObservation> => {
      const read = await readOne(inv, a, Math.min(inv.monitor.sshTimeoutMs, left), deps, signal);
      return { kind: 'config', appliance: a.name, role: a.role, at: read.startedAt, read };
    },
  );
}

/** The planned probes, under the cycle's deadline. */
function probeAll(planned: readonly PlannedProbe[], bounds: WorkBounds): Promise<ListenerObservation[]> {
  return runBounded(
    planned,
    bounds,
    (p) => `probe ${p.appliance.name}${p.from ? ` from ${p.from}` : ''}`,
    async (p, left, signal): Promise<ListenerObservation> => {
      const probe = await probeListener({
        ...p.options,
        timeoutMs: Math.min(p.options.timeoutMs ?? left, left),
        signal,
      });
      return {
        kind: 'listener',
        appliance: p.appliance.name,
        role: p.appliance.role,
        at: probe.startedAt,
        ...(p.from !== undefined ? { from: p.from } : {}),
        probe,
      };
    },
  );
}

/** The alert stage: this shard's findings through the state machine, pages and recoveries out. */
function alert(
  inv: Inventory,
  shard: Shard,
  findings: Finding[],
  checked: string[],
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

/**
 * The metrics stage: this shard's data to the sink. The heartbeat says "this cycle did all its
 * work": a cycle that ran out of time sends none, so the watchdog's missing-heartbeat alarm also
 * catches a monitor that can no longer keep up.
 */
/** What a cycle saw of its own appliances, as the metrics and appliance records need it. */
interface SeenByCycle {
  listener: ListenerObservation[];
  config: ConfigObservation[];
  findings: Finding[];
  paths: PathState[];
}

async function shipMetrics(
  input: CycleInput,
  { listener, config, findings, paths }: SeenByCycle,
  shard: Shard,
  now: Date,
  bounds: WorkBounds,
  sink: MetricSink,
  pages: { sent: number; failed: number },
): Promise<CycleReport['metrics']> {
  const inv = input.inventory;
  // The heartbeat says "this cycle did all its work": a cycle that ran out of time sends none, so
  // the watchdog's missing-heartbeat alarm also catches a monitor that can no longer keep up.
  const data = metricsForCycle({
    inventory: inv,
    listener,
    config,
    findings,
    paths,
    owned: shard.owned.map((a) => a.name),
    now,
    cycle: input.kind,
    pages,
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

/**
 * Silences and acks for this cycle. Unreadable ones are a problem of the cycle, and it pages as
 * if there were none: a monitor that cannot tell what is silenced must not go quiet.
 */
async function loadOperators(store: OperatorStore | undefined, problems: string[]): Promise<OperatorState> {
  if (store === undefined) return { silences: [], acks: [] };
  try {
    const state = await loadOperatorState(store);
    const { silences, problems: refused } = honouredSilences(state.silences);
    problems.push(...refused);
    return { ...state, silences };
  } catch (err) {
    problems.push(
      `silences and acknowledgements unreadable, paging as if there were none: ${errorMessage(err)}`,
    );
    return { silences: [], acks: [] };
  }
}

/**
 * The promise's value, or a DeadlineError once `deadline` passes, or the abort reason once
 * `signal` is aborted. For calls that take no abort signal; whatever they still do afterwards is
 * bounded by their own timeouts.
 */
function beforeDeadline<T>(p: Promise<T>, deadline: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      settle();
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        settle();
        reject(new DeadlineError(deadline));
      },
      Math.max(0, deadline - Date.now()),
    );
    p.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
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

/** The intermittent windows this cycle kind continues. */
function recallIntermittent(
  parts: { probe?: CyclePart; ssh?: CyclePart },
  kind: CycleKind,
): IntermittentMemory {
  if (kind === 'probe') return parts.probe?.intermittent ?? {};
  if (kind === 'ssh') return parts.ssh?.intermittent ?? {};
  return { ...(parts.probe?.intermittent ?? {}), ...(parts.ssh?.intermittent ?? {}) };
}

/** The findings memory the two parts of the previous cycles make up. */
function recall(parts: { probe?: CyclePart; ssh?: CyclePart }): FindingsMemory {
  return {
    version: 1,
    listeners: parts.probe?.findings.listeners ?? {},
    queues: parts.ssh?.findings.queues ?? {},
    logs: parts.ssh?.findings.logs ?? {},
    anonymousOutbound: parts.ssh?.findings.anonymousOutbound ?? [],
  };
}

async function loadParts(
  store: MemoryStore,
  key: string,
  problems: string[],
  deadline: number,
): Promise<{ probe?: CyclePart; ssh?: CyclePart }> {
  const out: { probe?: CyclePart; ssh?: CyclePart } = {};
  const options: CallOptions = { abortSignal: deadlineSignal(deadline) };
  // Both parts at once (one wait, not two, when the store does not answer); problems in order.
  const loaded = await Promise.all(
    (['probe', 'ssh'] as const).map(async (kind) => {
      try {
        return { kind, part: await store.load(`${kind}/${key}`, options) };
      } catch (err) {
        return {
          kind,
          problem: `cycle memory ${kind}/${key} unreadable, starting without it: ${errorMessage(err)}`,
        };
      }
    }),
  );
  for (const l of loaded) {
    if (l.problem !== undefined) problems.push(l.problem);
    else if (l.part !== undefined) out[l.kind] = l.part;
  }
  return out;
}

async function saveParts(
  store: MemoryStore,
  key: string,
  part: Omit<CyclePart, 'savedAt'>,
  clock: () => Date,
  problems: string[],
  options: CallOptions,
): Promise<void> {
  try {
    await store.save(key, { ...part, savedAt: clock().toISOString() }, options);
  } catch (err) {
    problems.push(
      `cycle memory ${key} not saved (queue growth and log cursors restart): ${errorMessage(err)}`,
    );
  }
}
