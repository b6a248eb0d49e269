/**
 * Fleet rules: facts of several appliances read in the same cycle, compared. Each check is
 * evaluated only when the facts it compares were read this cycle (an inventory value alone
 * never fires or recovers it).
 */
import type { RelayList } from '../asyncos/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { cpqPairs } from '../inventory/topology';
import { listOf, makeFinding } from './format';
import { findingId, pathId } from './ids';
import { cpqListenerRead, interfacesOf, type ReadFacts } from './read-facts';
import { relayListAdmits } from './relaylist';
import type { Finding } from './types';

/** Result of the fleet rules. */
export interface FleetRulesResult {
  findings: Finding[];
  checked: string[];
}

/** Addresses and names an appliance may connect from: inventory host/address and interfaces read. */
function sourcesOf(a: Appliance, f: ReadFacts | undefined): string[] {
  const out = new Set<string>([a.host]);
  if (a.address) out.add(a.address.split('/')[0]!);
  for (const i of (f && interfacesOf(f)) ?? []) if (i.ip) out.add(i.ip);
  const hostname = f?.showconfig?.facts.hostname;
  if (hostname) out.add(hostname);
  return [...out];
}

function relayListOf(f: ReadFacts | undefined): RelayList | null {
  const l = f?.showconfig?.facts.listeners.find(
    (x) => x.name.toLowerCase() === 'cpq_listener' || x.protocol.toUpperCase() === 'CPQ',
  );
  return l?.relayList ?? null;
}

/** The RELAYLIST lines of the cpq_listener block of a showconfig XML, as written (at most 10). */
export function relayListRaw(raw: string): string[] {
  const lines = raw.split(/\r?\n/);
  const start = lines.findIndex((l) => /<listener_name>\s*cpq_listener\s*<\/listener_name>/i.test(l));
  if (start === -1) return [];
  const out: string[] = [];
  let inList = false;
  for (const line of lines.slice(start)) {
    const t = line.trim();
    if (/<\/listener>/i.test(t)) break;
    if (/^RELAYLIST\s*:/i.test(t)) inList = true;
    else if (inList && /^[A-Za-z_][\w-]*\s*:$/.test(t)) break;
    if (inList && t !== '') out.push(t);
  }
  return out.slice(0, 10);
}

function portMismatch(esa: Appliance, sma: Appliance, fe: ReadFacts | undefined, fs: ReadFacts | undefined) {
  const readEsaPort = fe?.showconfig?.facts.cpq?.port ?? null;
  const listener = fs ? cpqListenerRead(fs) : null;
  if (readEsaPort === null && listener === null) return { checked: false as const };
  const esaPort = readEsaPort ?? esa.quarantine!.port;
  const smaPort = listener?.port ?? sma.cpqPort;
  const evidence = [
    `${esa.name} sends quarantined mail to port ${esaPort} (${readEsaPort !== null ? `\`${fe!.showconfig!.key}\`` : 'inventory quarantine.port'})`,
    `${sma.name}'s cpq_listener uses port ${smaPort} (${listener ? `\`${listener.source}\`, interface ${listener.interface}` : 'inventory cpqPort'})`,
  ];
  const host = fe?.showconfig?.facts.cpq?.host;
  if (host) evidence.push(`${esa.name}'s quarantine host: ${host}`);
  return { checked: true as const, fires: esaPort !== smaPort, esaPort, smaPort, evidence };
}

function relayDenied(
  listenerOwner: Appliance,
  peer: Appliance,
  fo: ReadFacts | undefined,
  fp: ReadFacts | undefined,
): { checked: boolean; finding?: Finding } {
  const list = relayListOf(fo);
  if (list === null) return { checked: false };
  const sources = sourcesOf(peer, fp);
  if (relayListAdmits(list, sources) !== null) return { checked: true };
  const path = pathId(peer.name, listenerOwner.name);
  return {
    checked: true,
    finding: makeFinding({
      check: 'cpq_relay_denied',
      appliance: listenerOwner.name,
      role: listenerOwner.role,
      severity: 'critical',
      summary: `${listenerOwner.name}: cpq_listener RELAYLIST lacks ${peer.name}; HAT rejects it`,
      evidence: [
        `\`${fo!.showconfig!.key}\` cpq_listener RELAYLIST: hosts ${listOf(list.hosts) || '(none)'}; networks ${listOf(list.networks) || '(none)'}`,
        ...relayListRaw(fo!.showconfig!.raw).map((l) => `raw: ${l}`),
        `${peer.name} connects from one of: ${listOf(sources)} — none is listed, so it falls to $BLOCKED (REJECT)`,
      ],
      fix: { peer: peer.name },
      path,
    }),
  };
}

function clusterRule(inv: Inventory, reads: Map<string, ReadFacts>): FleetRulesResult {
  const findings: Finding[] = [];
  const checked: string[] = [];
  const clusters = new Map<string, Appliance[]>();
  for (const a of inv.appliances) {
    if (!a.enabled) continue;
    const name = a.cluster ?? reads.get(a.name)?.showconfig?.facts.cluster ?? undefined;
    if (name) clusters.set(name, [...(clusters.get(name) ?? []), a]);
  }
  for (const [cluster, members] of clusters) {
    // The cluster-level PVO interface: the one the members' configurations name most often.
    const votes = new Map<string, string[]>();
    for (const m of members) {
      const i = reads.get(m.name)?.showconfig?.facts.cpq?.interface;
      if (i) votes.set(i, [...(votes.get(i) ?? []), m.name]);
    }
    const chosen = [...votes.entries()].sort((x, y) => y[1].length - x[1].length)[0];
    if (chosen === undefined) continue;
    const [iface, namedBy] = chosen;
    for (const m of members) {
      const f = reads.get(m.name);
      const ifaces = f ? interfacesOf(f) : null;
      if (ifaces === null) continue;
      checked.push(findingId('cluster_interface_missing', m.name));
      if (ifaces.some((i) => i.name.toLowerCase() === iface.toLowerCase())) continue;
      findings.push(
        makeFinding({
          check: 'cluster_interface_missing',
          appliance: m.name,
          role: m.role,
          severity: 'critical',
          summary: `${m.name}: PVO interface "${iface}" of cluster ${cluster} missing`,
          evidence: [
            `cluster ${cluster}: quarantine interface "${iface}" (configured as read on ${listOf(namedBy)})`,
            `${m.name} has: ${listOf(ifaces.map((i) => `${i.name} (${i.ip})`)) || '(no interfaces)'}`,
          ],
          fix: { name: iface },
        }),
      );
    }
  }
  return { findings, checked };
}

/** Runs the fleet rules over this cycle's reads (sessions that failed are left out by the caller). */
export function fleetRules(inv: Inventory, reads: Map<string, ReadFacts>): FleetRulesResult {
  const findings: Finding[] = [];
  const checked: string[] = [];
  for (const { esa, sma } of cpqPairs(inv)) {
    const fe = reads.get(esa.name);
    const fs = reads.get(sma.name);
    const toSma = pathId(esa.name, sma.name);

    const pm = portMismatch(esa, sma, fe, fs);
    if (pm.checked) {
      checked.push(findingId('cpq_port_mismatch', esa.name, toSma));
      if (pm.fires) {
        findings.push(
          makeFinding({
            check: 'cpq_port_mismatch',
            appliance: sma.name,
            role: sma.role,
            severity: 'critical',
            summary: `${esa.name} -> ${sma.name}: ESA sends to port ${pm.esaPort}, cpq_listener is on ${pm.smaPort}`,
            evidence: pm.evidence,
            fix: { peer: esa.name, port: pm.smaPort },
            path: toSma,
          }),
        );
      }
    }
    for (const [owner, peer, fo, fp] of [
      [sma, esa, fs, fe],
      [esa, sma, fe, fs],
    ] as const) {
      const r = relayDenied(owner, peer, fo, fp);
      if (!r.checked) continue;
      checked.push(findingId('cpq_relay_denied', owner.name, pathId(peer.name, owner.name)));
      if (r.finding) findings.push(r.finding);
    }
  }
  const cl = clusterRule(inv, reads);
  return { findings: [...findings, ...cl.findings], checked: [...checked, ...cl.checked] };
}
