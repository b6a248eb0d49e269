/**
 * One cycle's observations → findings, the path view, the ids of every check evaluated, and the
 * memory for the next cycle. Pure: no clock, no I/O (the time comes in as `now`).
 */
import type { Appliance, Inventory } from '../inventory/schema';
import { esasOf } from '../inventory/topology';
import type { ConfigObservation } from '../observations';
import { configRules } from './config-rules';
import { credentialRules } from './credential-rules';
import { fleetRules } from './fleet-rules';
import { sortFindings } from './format';
import { checkOf, findingId, parseFindingId, pathFindingId } from './ids';
import { LISTENER_CHECKS, listenerRules } from './listener-rules';
import { isFresh, pathStates } from './paths';
import { type ReadFacts, readFacts } from './read-facts';
import {
  type ExplainedFinding,
  type Finding,
  type FindingsInput,
  type FindingsMemory,
  type FindingsOutput,
  type ListenerMemory,
  severityRank,
} from './types';

/** The memory of a first cycle. */
export function emptyMemory(): FindingsMemory {
  return { version: 1, queues: {}, logs: {}, listeners: {}, anonymousOutbound: [] };
}

/** How long a probe outcome speaks for cycles that did not probe: three probe intervals. */
export function probeFreshnessMs(inv: Inventory): number {
  return 3 * inv.monitor.probeIntervalMinutes * 60_000;
}

function latestReads(inv: Inventory, config: ConfigObservation[]): ReadFacts[] {
  const latest = new Map<string, ConfigObservation>();
  for (const o of config) {
    const prev = latest.get(o.appliance);
    if (prev === undefined || Date.parse(o.at) >= Date.parse(prev.at)) latest.set(o.appliance, o);
  }
  const out: ReadFacts[] = [];
  for (const a of inv.appliances) {
    const o = latest.get(a.name);
    if (a.enabled && o !== undefined) out.push(readFacts(a, o));
  }
  return out;
}

/**
 * Findings that a listener outage explains: the appliance's own suspended status (when its
 * listener refuses) and, for an SMA, what its ESAs see of it (queue toward it, TLS failures and
 * connection errors in their logs, per-path probe failures, and with an anonymous-cipher outage
 * their outbound lists). They are folded into the outage's finding so it pages once.
 */
function consequences(inv: Inventory, owner: Appliance, rootCheck: string): string[] {
  const ids: string[] = [];
  if (rootCheck === 'cpq_listener_refused') {
    ids.push(findingId('listeners_suspended', owner.name), findingId('system_not_online', owner.name));
  }
  if (owner.role !== 'sma') return ids;
  for (const esa of esasOf(inv, owner.name)) {
    ids.push(
      findingId('cpq_queue_backlog', esa.name),
      findingId('cpq_tls_log_failures', esa.name),
      findingId('cpq_connection_errors', esa.name),
    );
    if (rootCheck === 'cpq_tls_anonymous') ids.push(findingId('outbound_ciphers_allow_anonymous', esa.name));
    for (const c of LISTENER_CHECKS) ids.push(pathFindingId(c, esa.name, owner.name));
  }
  return ids;
}

function fold(
  inv: Inventory,
  findings: Finding[],
  checked: Set<string>,
  listeners: Record<string, ListenerMemory>,
  now: Date,
): { findings: Finding[]; explained: ExplainedFinding[] } {
  const byId = new Map(findings.map((f) => [f.id, f]));
  const explained: ExplainedFinding[] = [];
  const maxAge = probeFreshnessMs(inv);
  for (const owner of inv.appliances) {
    const m = listeners[owner.name];
    if (!owner.enabled || !isFresh(m, now, maxAge) || m.down.length === 0) continue;
    const rootId = m.down[0]!;
    const rootCheck = checkOf(rootId);
    const root = byId.get(rootId);
    for (const id of consequences(inv, owner, rootCheck)) {
      const f = byId.get(id);
      if (f === undefined || id === rootId) continue;
      byId.delete(id);
      // Neither a success nor a failure this cycle: the alert of `id` stays as it was.
      checked.delete(id);
      explained.push({ id, by: rootId });
      root?.evidence.push(`also explains ${id}: ${f.summary}`);
    }
  }
  return { findings: [...byId.values()], explained };
}

/** What an ESA's anonymous-capable outbound list causes on its own side and on its path to the SMA. */
function anonymousConsequences(esa: Appliance): string[] {
  const ids = [findingId('cpq_tls_log_failures', esa.name), findingId('cpq_connection_errors', esa.name)];
  if (esa.quarantine) ids.push(pathFindingId('cpq_tls_anonymous', esa.name, esa.quarantine.sma));
  return ids;
}

/**
 * One incident, one page: an ESA whose outbound list lets anonymous suites through shows up as
 * its cipher-list finding, TLS failures and connection errors in its mail_logs, and an anonymous
 * handshake on its path to the SMA. They fold into the cipher-list finding (the cause, with the
 * fix), which becomes critical when the failures prove mail is not flowing. In cycles without an
 * SSH read, the remembered verdict keeps the consequences folded (their alerts stay as they were).
 */
function foldAnonymousOutbound(
  inv: Inventory,
  findings: Finding[],
  checked: Set<string>,
  anonymous: ReadonlySet<string>,
): { findings: Finding[]; explained: ExplainedFinding[] } {
  const byId = new Map(findings.map((f) => [f.id, f]));
  const explained: ExplainedFinding[] = [];
  for (const esa of inv.appliances) {
    if (!esa.enabled || esa.role !== 'esa' || !anonymous.has(esa.name)) continue;
    const rootId = findingId('outbound_ciphers_allow_anonymous', esa.name);
    const root = byId.get(rootId);
    for (const id of anonymousConsequences(esa)) {
      const f = byId.get(id);
      if (f === undefined) continue;
      byId.delete(id);
      checked.delete(id);
      explained.push({ id, by: rootId });
      if (root) {
        root.evidence.push(`also explains ${id}: ${f.summary}`);
        if (severityRank(f.severity) > severityRank(root.severity)) root.severity = f.severity;
      }
    }
  }
  return { findings: [...byId.values()], explained };
}

/** ESAs whose outbound list allows anonymous suites, after this cycle's reads. */
function anonymousOutboundAfter(
  prev: readonly string[],
  findings: Finding[],
  checked: ReadonlySet<string>,
): string[] {
  const out = new Set(prev);
  for (const id of checked) {
    const { subject: esa, check } = parseFindingId(id);
    if (check !== 'outbound_ciphers_allow_anonymous') continue;
    if (findings.some((f) => f.id === id)) out.add(esa);
    else out.delete(esa);
  }
  return [...out].sort();
}

/** Evaluates every rule over one cycle's observations. */
export function evaluateFindings(input: FindingsInput): FindingsOutput {
  const inv = input.inventory;
  const prev = input.memory?.version === 1 ? input.memory : emptyMemory();

  const listener = listenerRules(inv, input.listener);
  const reads = latestReads(inv, input.config);
  const config = configRules(inv, reads, { queues: prev.queues, logs: prev.logs }, input.listener);
  const fleet = fleetRules(inv, new Map(reads.filter((r) => r.sessionOk).map((r) => [r.appliance.name, r])));
  const credentials = credentialRules(inv, reads, new Set(input.context ?? []));

  const listeners = { ...prev.listeners, ...listener.listeners };
  const checked = new Set([...listener.checked, ...config.checked, ...fleet.checked, ...credentials.checked]);
  const folded = fold(
    inv,
    [...listener.findings, ...config.findings, ...fleet.findings, ...credentials.findings],
    checked,
    listeners,
    input.now,
  );
  const anonymousOutbound = anonymousOutboundAfter(prev.anonymousOutbound ?? [], folded.findings, checked);
  const anon = foldAnonymousOutbound(inv, folded.findings, checked, new Set(anonymousOutbound));
  const findings = sortFindings(anon.findings);
  return {
    findings,
    paths: pathStates(inv, findings, listeners, input.now, probeFreshnessMs(inv), input.pathsInto),
    checked: [...checked].sort(),
    explained: [...folded.explained, ...anon.explained].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    ),
    memory: {
      version: 1,
      queues: { ...prev.queues, ...config.queues },
      logs: { ...prev.logs, ...config.logs },
      listeners,
      anonymousOutbound,
    },
  };
}
