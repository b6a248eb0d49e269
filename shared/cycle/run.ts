/**
 * One monitoring cycle: inventory → observations (probes, SSH reads) → findings → alerts and
 * metrics. The only place that wires the rooms together; every step below is a call into one.
 * One deadline bounds the whole cycle; one appliance's failure never stops the others; what
 * could not be done before the deadline is reported, not hidden.
 */

import { type AlertReport, processAlerts } from '../alerts/engine';
import type { Notifier } from '../alerts/notifier';
import type { AlertStore } from '../alerts/store';
import { type ReaderDeps, readAppliance } from '../asyncos/reader';
import type { ReadResult, SshAuth } from '../asyncos/types';
import { errorMessage } from '../errors';
import { evaluateFindings } from '../findings/evaluate';
import { endsOf } from '../findings/ids';
import type { ExplainedFinding, Finding, FindingsMemory, PathState } from '../findings/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { activeMaintenance } from '../inventory/settings';
import type { Logger } from '../log';
import type { MetricDatum } from '../metrics/datum';
import { metricsForCycle } from '../metrics/from-observations';
import { applianceRecords } from '../metrics/records';
import type { MetricSink, SinkReport } from '../metrics/sink';
import type { ConfigObservation, ListenerObservation } from '../observations';
import { probeListener } from '../probes/probe';
import { caFileReader } from './ca-files';
import { type CredentialResolver, CredentialsError } from './credentials';
import { learnOutbound } from './learn';
import type { CyclePart, MemoryStore } from './memory';
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
  /** Time kept after the probes and reads for alerts, metrics and memory; default 5000 ms. */
  tailReserveMs?: number;
  /** Directory that relative files of the inventory (CA bundles) are resolved against. */
  baseDir?: string;
}

export interface CycleDeps {
  store: AlertStore;
  notifier: Notifier;
  sink: MetricSink;
  memory: MemoryStore;
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
  };

  const shard = selectShard(inv, doReads, input.appliances);
  if (shard.unknown.length > 0) {
    problems.push(`asked for appliances not enabled in the inventory: ${shard.unknown.join(', ')}`);
  }

  // Memory: each kind owns its part; both parts are read.
  const parts = await loadParts(deps.memory, memoryKey, problems);
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

  const now = clock();
  const evaluated = evaluateFindings({ inventory: inv, now, listener, config, memory });
  // Context appliances were read for their peers' sake: their own findings belong to their shard.
  const owns = (id: string) => reportsAbout(shard, endsOf(id));
  const findings = evaluated.findings.filter((f) => owns(f.id));
  const checked = evaluated.checked.filter(owns);

  const alerts = await alert(inv, shard, findings, checked, now, deps);
  if (alerts.error !== undefined) problems.push(`alerts not processed: ${alerts.error}`);

  const seen = { listener, config: ownConfig, findings, paths: evaluated.paths };
  const metrics = await shipMetrics(input, seen, shard, now, bounds, deps.sink);
  for (const e of metrics.report.errors) problems.push(`metrics not shipped: ${e.message}`);

  // Memory: what this cycle learned, for the next one.
  if (doProbes) {
    const part = { findings: { listeners: evaluated.memory.listeners } };
    await saveParts(deps.memory, `probe/${memoryKey}`, part, clock, problems);
  }
  if (doReads) {
    const part = { findings: ownSshMemory(shard, evaluated.memory), ...outbound };
    await saveParts(deps.memory, `ssh/${memoryKey}`, part, clock, problems);
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
): Promise<ReadResult> {
  const ssh = a.ssh!;
  const startedAt = new Date().toISOString();
  let auth: Awaited<ReturnType<CredentialResolver>>;
  try {
    auth = await deps.credentials(a);
  } catch (err) {
    // The appliance was never contacted: say why in the result the rules read.
    const why =
      err instanceof CredentialsError ? err.message : `cannot get credentials: ${errorMessage(err)}`;
    return {
      host: a.host,
      port: ssh.port,
      status: 'critical',
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
      },
      deps.readerDeps,
    );
  const first = await read(auth, timeoutMs);
  // A refused login with a cached Secrets Manager secret may be a rotated password: fetch the
  // secret again and retry once in this cycle. Only a second refusal, with the fresh secret,
  // is reported (docs/deploy.md, "SSH secrets: cache and rotation").
  if (first.code !== 'auth_failed' || ssh.credentials.secretId === undefined) return first;
  const left = timeoutMs - (Date.now() - started);
  if (left <= 0) return first;
  let fresh: SshAuth;
  try {
    fresh = await deps.credentials(a, auth);
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
    async (a, left): Promise<ConfigObservation> => {
      const read = await readOne(inv, a, Math.min(inv.monitor.sshTimeoutMs, left), deps);
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
    async (p, left): Promise<ListenerObservation> => {
      const probe = await probeListener({
        ...p.options,
        timeoutMs: Math.min(p.options.timeoutMs ?? left, left),
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
  deps: CycleDeps,
): Promise<AlertReport> {
  const retries = retriesFor(shard);
  return processAlerts({
    findings,
    checked,
    now,
    policy: inv.alerting,
    muteFor: (appliance) => {
      const w = activeMaintenance(inv, appliance, now);
      return w === undefined ? undefined : { reason: w.reason, until: w.end };
    },
    store: deps.store,
    notifier: deps.notifier,
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
): Promise<{ probe?: CyclePart; ssh?: CyclePart }> {
  const out: { probe?: CyclePart; ssh?: CyclePart } = {};
  for (const kind of ['probe', 'ssh'] as const) {
    try {
      const part = await store.load(`${kind}/${key}`);
      if (part !== undefined) out[kind] = part;
    } catch (err) {
      problems.push(`cycle memory ${kind}/${key} unreadable, starting without it: ${errorMessage(err)}`);
    }
  }
  return out;
}

async function saveParts(
  store: MemoryStore,
  key: string,
  part: Omit<CyclePart, 'savedAt'>,
  clock: () => Date,
  problems: string[],
): Promise<void> {
  try {
    await store.save(key, { ...part, savedAt: clock().toISOString() });
  } catch (err) {
    problems.push(
      `cycle memory ${key} not saved (queue growth and log cursors restart): ${errorMessage(err)}`,
    );
  }
}
