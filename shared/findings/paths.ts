/**
 * The path view: every ESA→SMA and SMA→ESA pair with its state and the findings that explain
 * it, so "the SMA is down" (every path into it down, one finding) reads differently from "one
 * path is down" (one path, its own finding).
 */
import type { Appliance, Inventory } from '../inventory/schema';
import { cpqPairs } from '../inventory/topology';
import { findingId, pathId } from './ids';
import { LISTENER_CHECKS } from './listener-rules';
import type { CheckName, Finding, ListenerMemory, PathState } from './types';

const LISTENER = new Set<string>(LISTENER_CHECKS);
/** Critical checks after which mail still passes: the path is degraded, not down. */
const MAIL_STILL_PASSES = new Set<string>(['cpq_tls_no_encryption']);

/** Whether a remembered probe outcome is recent enough to speak for this cycle. */
export function isFresh(m: ListenerMemory | undefined, now: Date, maxAgeMs: number): m is ListenerMemory {
  if (m === undefined) return false;
  const age = now.getTime() - Date.parse(m.at);
  return age <= maxAgeMs;
}

/** This cycle's findings, grouped the way the path view looks them up (once per cycle, not per path). */
interface FindingIndex {
  byId: Map<string, Finding>;
  /** Findings about one path, by path id. */
  byPath: Map<string, string[]>;
  /** Listener findings about an appliance itself (no path), by appliance. */
  listenerOf: Map<string, string[]>;
}

function indexFindings(findings: Finding[]): FindingIndex {
  const index: FindingIndex = { byId: new Map(), byPath: new Map(), listenerOf: new Map() };
  const add = (m: Map<string, string[]>, key: string, id: string) => {
    const list = m.get(key);
    if (list === undefined) m.set(key, [id]);
    else list.push(id);
  };
  for (const f of findings) {
    index.byId.set(f.id, f);
    if (f.path !== undefined) add(index.byPath, f.path, f.id);
    else if (LISTENER.has(f.check)) add(index.listenerOf, f.appliance, f.id);
  }
  return index;
}

/** The checks on the sending side (A) and on the listener's side (B) that bear on path A→B. */
function relatedIds(sender: Appliance, owner: Appliance, path: string, index: FindingIndex): string[] {
  const byId = index.byId;
  const ids = new Set<string>([
    ...(index.byPath.get(path) ?? []),
    ...(index.listenerOf.get(owner.name) ?? []),
  ]);
  const on = (a: Appliance, checks: CheckName[]) => {
    for (const c of checks) {
      const id = findingId(c, a.name);
      if (byId.has(id)) ids.add(id);
    }
  };
  on(owner, ['listeners_suspended', 'system_not_online', 'cluster_interface_missing']);
  on(sender, [
    sender.role === 'esa' ? 'cpq_queue_backlog' : 'release_queue_backlog',
    'outbound_ciphers_allow_anonymous',
    'cpq_tls_log_failures',
    'cpq_connection_errors',
    'cluster_interface_missing',
  ]);
  if (owner.role === 'esa') {
    // Releases need the SMA to read the ESA's configuration over SSH.
    on(owner, ['ssh_unreachable', 'ssh_host_key_mismatch']);
    on(sender, ['application_fault']);
  }
  return [...ids].sort();
}

/** Builds the path view from this cycle's findings and the recent probe outcomes (only paths `into` these listeners, when given). */
export function pathStates(
  inv: Inventory,
  findings: Finding[],
  listeners: Record<string, ListenerMemory>,
  now: Date,
  maxAgeMs: number,
  into?: ReadonlySet<string>,
): PathState[] {
  const index = indexFindings(findings);
  const byId = index.byId;
  const out: PathState[] = [];
  for (const { esa, sma } of cpqPairs(inv)) {
    for (const [sender, owner, direction] of [
      [esa, sma, 'esa_to_sma'],
      [sma, esa, 'sma_to_esa'],
    ] as const) {
      if (into !== undefined && !into.has(owner.name)) continue;
      const id = pathId(sender.name, owner.name);
      const ids = relatedIds(sender, owner, id, index);
      const probe = listeners[owner.name];
      const fresh = isFresh(probe, now, maxAgeMs);
      // A recent probe that failed still explains the path in a cycle that did not probe.
      const remembered = fresh
        ? [...probe.down, ...(probe.paths?.[id] ?? [])].filter((r) => !byId.has(r))
        : [];
      const found = ids.map((i) => byId.get(i)!);
      // A critical finding takes the path down unless mail still passes (in clear text).
      const critical = found.filter((f) => f.severity === 'critical' && !MAIL_STILL_PASSES.has(f.check));
      const warning = found.filter(
        (f) => f.severity === 'warning' || (f.severity === 'critical' && MAIL_STILL_PASSES.has(f.check)),
      );
      let state: PathState['state'];
      let reason: string;
      let explaining: string[];
      if (critical.length > 0 || remembered.length > 0) {
        state = 'down';
        explaining = [...critical.map((f) => f.id), ...remembered];
        reason =
          critical[0]?.summary ?? `last probe of ${owner.name} at ${probe!.at}: ${remembered.join(', ')}`;
      } else if (warning.length > 0) {
        state = 'degraded';
        explaining = warning.map((f) => f.id);
        reason = warning[0]!.summary;
      } else if (fresh) {
        state = 'up';
        explaining = [];
        reason = `${owner.name}'s CPQ listener answered the probe at ${probe.at}`;
      } else {
        state = 'unknown';
        explaining = [];
        reason = `no recent probe of ${owner.name}'s CPQ listener`;
      }
      out.push({ id, from: sender.name, to: owner.name, direction, state, findings: explaining, reason });
    }
  }
  return out;
}
