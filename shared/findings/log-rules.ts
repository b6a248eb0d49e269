/**
 * mail_logs rules: the lines an appliance wrote since the last read → CPQ TLS failures, CPQ
 * connection errors and application faults. A line counts as CPQ traffic when its delivery
 * connection (DCID) used a CPQ port or delivered to a quarantine queue, or, for a connection
 * error, when it names a CPQ port or a CPQ peer's address.
 */
import type { MailLogEvent } from '../asyncos/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { queuesFor } from '../inventory/settings';
import { fleetCpqPorts, peersOf } from '../inventory/topology';
import type { Collector } from './collector';
import { listOf, makeFinding, RAW_LINES_MAX } from './format';
import { eventsSince } from './log-cursor';
import type { ReadFacts } from './read-facts';
import type { LogCursor } from './types';

type CpqVerdict = 'cpq' | 'other' | 'unknown';
type ConnectionError = Extract<MailLogEvent, { type: 'connection_error' }>;

/**
 * Judges this read's new mail_logs lines for one appliance; `previous` is the cursor the last read
 * left (by appliance), the new one goes into `logs`.
 */
export function logRules(
  c: Collector,
  f: ReadFacts,
  inv: Inventory,
  previous: Record<string, LogCursor>,
  logs: Record<string, LogCursor>,
): void {
  const l = f.logs;
  if (l === undefined) return;
  for (const check of ['cpq_tls_log_failures', 'cpq_connection_errors', 'application_fault'] as const)
    c.check(check);
  const lookbackMs = inv.monitor.sshIntervalMinutes * 60_000;
  const { fresh, cursor } = eventsSince(l.events, previous[c.a.name], lookbackMs);
  if (cursor) logs[c.a.name] = cursor;
  const ports = cpqPorts(inv, f);
  const dcids = cpqConnections(l.events, ports, quarantineQueues(inv, c.a));
  const attribution = (e: MailLogEvent): CpqVerdict =>
    e.dcid === undefined ? 'unknown' : (dcids.get(e.dcid) ?? 'unknown');
  tlsFailureRule(c, fresh, attribution, l.keys);
  const peers = peerAddresses(inv, c.a);
  const conn = fresh.filter(
    (e): e is ConnectionError =>
      e.type === 'connection_error' &&
      (e.port !== null ? ports.has(e.port) : e.address !== null && peers.has(e.address.toLowerCase())),
  );
  connectionErrorRule(c, conn);
  applicationFaultRule(
    c,
    fresh.filter((e) => e.type === 'application_fault'),
  );
}

function tlsFailureRule(
  c: Collector,
  fresh: MailLogEvent[],
  attribution: (e: MailLogEvent) => CpqVerdict,
  keys: readonly string[],
): void {
  const tls = fresh.filter(
    (e) => (e.type === 'tls_failed' || e.type === 'tls_required_failed') && attribution(e) !== 'other',
  );
  if (tls.length === 0) return;
  const noCert = tls.some((e) => e.type === 'tls_failed' && /no certificate/i.test(e.reason));
  const required = tls.some((e) => e.type === 'tls_required_failed');
  const unattributed = tls.filter((e) => attribution(e) === 'unknown').length;
  c.add(
    makeFinding({
      check: 'cpq_tls_log_failures',
      appliance: c.a.name,
      role: c.a.role,
      severity: noCert || required ? 'critical' : 'warning',
      summary: `${c.a.name}: ${tls.length} CPQ TLS failure lines in mail_logs${noCert ? ' (no certificate)' : ''}`,
      evidence: [
        `${tls.length} new line(s) since the last read (${keys.join(', ')})`,
        ...(unattributed > 0
          ? [`${unattributed} of them name a DCID with no CPQ connection line in the read`]
          : []),
        ...rawLines(tls),
      ],
    }),
  );
}

function connectionErrorRule(c: Collector, conn: ConnectionError[]): void {
  if (conn.length === 0) return;
  const targets = [...new Set(conn.map((e) => `${e.address ?? '?'}:${e.port ?? '?'}`))];
  c.add(
    makeFinding({
      check: 'cpq_connection_errors',
      appliance: c.a.name,
      role: c.a.role,
      severity: 'warning',
      summary: `${c.a.name}: ${conn.length} CPQ connection errors in mail_logs (${targets[0]})`,
      evidence: [
        `${conn.length} new line(s) since the last read toward ${listOf(targets)}`,
        ...[...new Set(conn.map((e) => e.reason).filter((r): r is string => r !== null))].map(
          (r) => `reason: ${r}`,
        ),
        ...rawLines(conn),
      ],
      fix: { port: conn[0]!.port ?? undefined },
    }),
  );
}

function applicationFaultRule(c: Collector, faults: MailLogEvent[]): void {
  if (faults.length === 0) return;
  const sma = c.a.role === 'sma';
  c.add(
    makeFinding({
      check: 'application_fault',
      appliance: c.a.name,
      role: c.a.role,
      severity: 'warning',
      summary: `${c.a.name}: ${faults.length} application fault lines in mail_logs${sma ? ' (CSCus29647?)' : ''}`,
      evidence: [
        `${faults.length} new line(s) since the last read`,
        ...(sma
          ? ['CSCus29647: an internal SMA component stops; SSH to the ESAs fails until the SMA restarts']
          : []),
        ...rawLines(faults),
      ],
    }),
  );
}

/** The events' raw lines, at most RAW_LINES_MAX, then how many more there were. */
function rawLines(events: MailLogEvent[]): string[] {
  const lines = events.slice(0, RAW_LINES_MAX).map((e) => e.raw.trimEnd());
  if (events.length > RAW_LINES_MAX) lines.push(`… and ${events.length - RAW_LINES_MAX} more lines`);
  return lines;
}

/** A DCID is CPQ when its connection used a CPQ port or its delivery went to a quarantine queue. */
function cpqConnections(
  events: readonly MailLogEvent[],
  ports: Set<number>,
  queueNames: Set<string>,
): Map<number, CpqVerdict> {
  const dcids = new Map<number, CpqVerdict>();
  for (const e of events) {
    if (e.dcid === undefined) continue;
    if (e.type === 'delivery_connection') dcids.set(e.dcid, ports.has(e.port) ? 'cpq' : 'other');
    const dest =
      e.type === 'tls_success'
        ? e.destination
        : e.type === 'delivery_start' || e.type === 'message_done'
          ? e.destination
          : null;
    if (dest && (queueNames.has(dest.toLowerCase()) || /centralized (policy )?quarantine/i.test(dest)))
      dcids.set(e.dcid, 'cpq');
  }
  return dcids;
}

/** The appliance's quarantine queue names (CPQ and release), lower-cased. */
function quarantineQueues(inv: Inventory, a: Appliance): Set<string> {
  const q = queuesFor(inv, a);
  return new Set([q.cpqQueueName, q.releaseQueueName].map((n) => n.toLowerCase()));
}

/** Ports a CPQ delivery can use in this inventory (for telling CPQ lines from other mail). */
function cpqPorts(inv: Inventory, f: ReadFacts): Set<number> {
  const ports = fleetCpqPorts(inv);
  const own = f.showconfig?.facts.cpq?.port;
  if (own) ports.add(own);
  return ports;
}

/** Addresses of the appliance's CPQ peers, monitored or not: their connections are CPQ traffic still. */
function peerAddresses(inv: Inventory, a: Appliance): Set<string> {
  const out = new Set<string>();
  for (const p of peersOf(inv, a, 'all')) {
    out.add(p.host.toLowerCase());
    if (p.address) out.add(p.address.split('/')[0]!.toLowerCase());
  }
  return out;
}
