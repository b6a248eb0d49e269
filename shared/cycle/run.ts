/**
 * One monitoring cycle: inventory → observations (probes, SSH reads) → findings → alerts and
 * metrics. The only place that wires the rooms together; every step below is a call into one.
 * One deadline bounds the whole cycle; one appliance's failure never stops the others; what
 * could not be done before the deadline is reported, not hidden.
 */

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import pLimit from 'p-limit';
import { type AlertReport, processAlerts } from '../alerts/engine';
import type { Notifier } from '../alerts/notifier';
import type { AlertStore } from '../alerts/store';
import { firstFacts } from '../asyncos/commands';
import { type ReaderDeps, readAppliance } from '../asyncos/reader';
import type { ReadResult } from '../asyncos/types';
import { errorMessage } from '../errors';
import { evaluateFindings } from '../findings/evaluate';
import type { ExplainedFinding, Finding, FindingsMemory, PathState } from '../findings/types';
import { activeMaintenance } from '../inventory/load';
import type { Appliance, Inventory } from '../inventory/schema';
import type { Logger } from '../log';
import type { MetricDatum } from '../metrics/datum';
import { metricsForCycle } from '../metrics/from-observations';
import type { MetricSink, SinkReport } from '../metrics/sink';
import type { ConfigObservation, ListenerObservation } from '../observations';
import { probeListener } from '../probes/probe';
import type { TlsVersion } from '../probes/types';
import { versionsFromMethods } from '../tls/versions';
import { type CredentialResolver, CredentialsError } from './credentials';
import type { CyclePart, MemoryStore } from './memory';
import { contextAppliances, planCommands, planProbes } from './plan';

export type CycleKind = 'probe' | 'ssh' | 'full';

export interface CycleInput {
  inventory: Inventory;
  kind: CycleKind;
  /** Appliances this invocation owns (a shard); default every enabled appliance. */
  appliances?: readonly string[];
  /** Names this invocation's memory (e.g. `shard-0-of-3`); default `all`. */
  memoryKey?: string;
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

/** Minimum time worth starting a probe or a read with. */
const MIN_WORK_MS = 1000;

/** Runs one cycle. Never throws for an appliance's failure; throws only for a broken inventory selection. */
export async function runCycle(input: CycleInput, deps: CycleDeps): Promise<CycleReport> {
  const inv = input.inventory;
  const clock = deps.now ?? (() => new Date());
  const started = clock();
  const startedMs = Date.now();
  const problems: string[] = [];
  const memoryKey = input.memoryKey ?? 'all';
  const ioDeadline = input.deadline - (input.tailReserveMs ?? 5000);

  const enabled = inv.appliances.filter((a) => a.enabled);
  const wanted = input.appliances === undefined ? undefined : new Set(input.appliances);
  const primary = wanted === undefined ? enabled : enabled.filter((a) => wanted.has(a.name));
  const unknownAppliances =
    wanted === undefined ? [] : [...wanted].filter((n) => !primary.some((a) => a.name === n));
  if (unknownAppliances.length > 0) {
    problems.push(`asked for appliances not enabled in the inventory: ${unknownAppliances.join(', ')}`);
  }

  const primaryNames = new Set(primary.map((a) => a.name));
  const doProbes = input.kind !== 'ssh';
  const doReads = input.kind !== 'probe';
  const sshPrimary = doReads ? primary.filter((a) => a.ssh !== undefined) : [];
  const context = doReads ? contextAppliances(inv, sshPrimary) : [];
  const contextNames = new Set(context.map((a) => a.name));

  // Memory: each kind owns its part; both parts are read.
  const parts = await loadParts(deps.memory, memoryKey, problems);
  const memory: FindingsMemory = {
    version: 1,
    listeners: parts.probe?.findings.listeners ?? {},
    queues: parts.ssh?.findings.queues ?? {},
    logs: parts.ssh?.findings.logs ?? {},
    anonymousOutbound: parts.ssh?.findings.anonymousOutbound ?? [],
  };
  const outboundCiphers = { ...(parts.ssh?.outboundCiphers ?? {}) };
  const outboundVersions = { ...(parts.ssh?.outboundVersions ?? {}) };

  const skipped: string[] = [];
  const caCache = new Map<string, string | undefined>();
  const readCa = (file: string): string | undefined => {
    if (!caCache.has(file)) {
      const path = isAbsolute(file) ? file : resolve(input.baseDir ?? '.', file);
      try {
        caCache.set(file, readFileSync(path, 'utf8'));
      } catch (err) {
        problems.push(
          `cannot read CA file ${path}: ${errorMessage(err)}; certificates are checked without it`,
        );
        caCache.set(file, undefined);
      }
    }
    return caCache.get(file);
  };

  const probeWork = async (): Promise<ListenerObservation[]> => {
    if (!doProbes) return [];
    const planned = planProbes(inv, primary, {
      outboundCiphers,
      outboundVersions,
      ca: readCa,
      timeoutMs: inv.monitor.probeTimeoutMs,
    });
    const limit = pLimit(inv.monitor.concurrency);
    const results = await Promise.all(
      planned.map((p) =>
        limit(async (): Promise<ListenerObservation | undefined> => {
          const left = ioDeadline - Date.now();
          if (left < MIN_WORK_MS) {
            skipped.push(`probe ${p.appliance.name}${p.from ? ` from ${p.from}` : ''}`);
            return undefined;
          }
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
        }),
      ),
    );
    return results.filter((r): r is ListenerObservation => r !== undefined);
  };

  const readWork = async (): Promise<ConfigObservation[]> => {
    const targets = [...sshPrimary, ...context];
    const limit = pLimit(inv.monitor.concurrency);
    const results = await Promise.all(
      targets.map((a) =>
        limit(async (): Promise<ConfigObservation | undefined> => {
          const left = ioDeadline - Date.now();
          if (left < MIN_WORK_MS) {
            skipped.push(`ssh ${a.name}`);
            return undefined;
          }
          const read = await readOne(inv, a, Math.min(inv.monitor.sshTimeoutMs, left), deps);
          return { kind: 'config', appliance: a.name, role: a.role, at: read.startedAt, read };
        }),
      ),
    );
    return results.filter((r): r is ConfigObservation => r !== undefined);
  };

  // Reads first: what they show of each appliance's outbound TLS (cipher list and methods) is
  // what the probes offer on its behalf.
  const config = doReads ? await readWork() : [];
  for (const o of config) {
    if (contextNames.has(o.appliance)) continue;
    const list = outboundCiphersOf(o.read);
    if (list !== undefined) outboundCiphers[o.appliance] = list;
    const versions = outboundVersionsOf(o.read);
    if (versions !== undefined) outboundVersions[o.appliance] = versions;
  }
  const listener = await probeWork();

  const now = clock();
  const evaluated = evaluateFindings({ inventory: inv, now, listener, config, memory });

  // Context appliances were read for their peers' sake: their own findings belong to their shard.
  // A path check belongs to a shard that owns either end: the rules across appliances run where
  // the ESA is owned and its SMA is read as context, and nowhere else.
  const owns = (id: string) => endsOf(id).some((end) => !contextNames.has(end));
  const findings = evaluated.findings.filter((f) => owns(f.id));
  const checked = evaluated.checked.filter(owns);

  const alerts = await processAlerts({
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
    // A shard retries only its own undelivered notifications; the other shards own theirs.
    ...(wanted !== undefined
      ? { retriesFor: (r: { id: string }) => endsOf(r.id).some((end) => primaryNames.has(end)) }
      : {}),
    ...(deps.logger !== undefined ? { logger: deps.logger } : {}),
  });
  if (alerts.error !== undefined) problems.push(`alerts not processed: ${alerts.error}`);

  const ownConfig = config.filter((o) => !contextNames.has(o.appliance));
  // The heartbeat says "this cycle did all its work": a cycle that ran out of time sends none, so
  // the watchdog's missing-heartbeat alarm also catches a monitor that can no longer keep up.
  const data = metricsForCycle({
    inventory: inv,
    listener,
    config: ownConfig,
    findings,
    now,
    detail: inv.monitor.metricsDetail,
    cycle: input.kind,
  }).filter((d) => skipped.length === 0 || d.name !== 'MonitorHeartbeat');
  const report = await deps.sink.put(data);
  for (const e of report.errors) problems.push(`metrics not shipped: ${e.message}`);

  // Memory: what this cycle learned, for the next one.
  if (doProbes) {
    await saveParts(
      deps.memory,
      `probe/${memoryKey}`,
      { findings: { listeners: evaluated.memory.listeners } },
      clock,
      problems,
    );
  }
  if (doReads) {
    const mine = (key: string) => !contextNames.has(key.split('/')[0] ?? key);
    await saveParts(
      deps.memory,
      `ssh/${memoryKey}`,
      {
        findings: {
          queues: Object.fromEntries(Object.entries(evaluated.memory.queues).filter(([k]) => mine(k))),
          logs: Object.fromEntries(Object.entries(evaluated.memory.logs).filter(([k]) => mine(k))),
          anonymousOutbound: (evaluated.memory.anonymousOutbound ?? []).filter((n) => !contextNames.has(n)),
        },
        outboundCiphers,
        outboundVersions,
      },
      clock,
      problems,
    );
  }

  for (const p of problems) deps.logger?.warn({ problem: p }, 'cycle problem');
  return {
    kind: input.kind,
    startedAt: started.toISOString(),
    durationMs: Date.now() - startedMs,
    appliances: primary.map((a) => a.name),
    context: context.map((a) => a.name),
    skipped,
    unknownAppliances,
    listener,
    config: ownConfig,
    findings,
    explained: evaluated.explained,
    checked,
    paths: evaluated.paths,
    alerts,
    metrics: { data, report },
    problems,
  };
}

/** The appliances a finding id speaks of: one, or both ends of a path (`<from>-><to>/<check>`). */
export function endsOf(id: string): string[] {
  const subject = id.slice(0, id.lastIndexOf('/'));
  const arrow = subject.indexOf('->');
  return arrow === -1 ? [subject] : [subject.slice(0, arrow), subject.slice(arrow + 2)];
}

/** The appliance that owns a finding id: `<appliance>/<check>` or `<from>-><to>/<check>` (the listener's). */
export function ownerOf(id: string): string {
  const subject = id.slice(0, id.lastIndexOf('/'));
  const arrow = subject.indexOf('->');
  return arrow === -1 ? subject : subject.slice(arrow + 2);
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
  return readAppliance(
    {
      host: a.host,
      port: ssh.port,
      username: ssh.user,
      auth,
      hostKeys: ssh.hostKeys,
      commands: planCommands(a, inv),
      timeoutMs,
    },
    deps.readerDeps,
  );
}

/** Longest outbound cipher list taken from a read (AsyncOS lists are a few hundred characters). */
export const CIPHER_LIST_MAX = 2048;
/** What an OpenSSL cipher string is made of: names, `:`/`,`/space separators, `!`/`-`/`+` and `@STRENGTH`-style keywords. */
const CIPHER_LIST = /^[A-Za-z0-9:!+@=_., -]+$/;

/**
 * The outbound cipher list a read showed (sslconfig first, then showconfig), when it looks like
 * one. It is the appliance's own text: it is offered by the next probes and kept in the cycle
 * memory, so an oversized or odd value (a broken or hostile peer) is not learned at all.
 */
export function outboundCiphersOf(read: ReadResult): string | undefined {
  const usable = (list: string | null | undefined) =>
    typeof list === 'string' && list.length <= CIPHER_LIST_MAX && CIPHER_LIST.test(list) ? list : undefined;
  const ssl = usable(firstFacts(read, 'sslconfig')?.outbound.ciphers);
  if (ssl) return ssl;
  const show = firstFacts(read, 'showconfig');
  if (show) return usable(show.tls.outbound.ciphers);
  return undefined;
}

/** The TLS versions the outbound methods a read showed enable (sslconfig first, then showconfig). */
export function outboundVersionsOf(
  read: ReadResult,
): { minVersion: TlsVersion; maxVersion: TlsVersion } | undefined {
  const methods = [
    firstFacts(read, 'sslconfig')?.outbound.methods,
    firstFacts(read, 'showconfig')?.tls.outbound.methods,
  ];
  for (const m of methods) {
    // Bounded like the cipher lists: a hostile peer's megabyte of text is not parsed or stored.
    if (typeof m !== 'string' || m.length > 256) continue;
    const v = versionsFromMethods(m);
    if (v !== null) return v;
  }
  return undefined;
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
