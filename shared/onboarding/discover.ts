/**
 * Onboarding, the pure part: what `cpq-monitor init` read from each appliance (an SSH read of
 * version, status, showconfig, sslconfig, listenerconfig, interfaceconfig, and a probe of the CPQ
 * listener) turned into inventory entries, each value with the place it came from, and a list of
 * everything that could not be determined with the field to fill in by hand. No sockets here: the
 * CLI gathers the readings, this module judges them (docs/onboarding.md explains the steps).
 */

import type { CommandName, FactsOf } from '../asyncos/commands';
import type { ReadResult, ShowconfigFacts } from '../asyncos/types';
import { DEFAULTS, type SshCredentials } from '../inventory/schema';
import type { ProbeResult } from '../probes/types';
import { cpqListenerOf, firstFacts } from '../read-view';
import { printable } from '../text';
import { nameFrom, roleFrom, uniqueName } from './identity';

/** One host as the operator named it (`HOST` or `HOST:PORT`, SSH port). */
export interface HostTarget {
  host: string;
  port: number;
}

/** Everything init learned about one host; `read` is null when the host was not read. */
export interface HostReading {
  target: HostTarget;
  /** The inventory name to use (drift checks keep the inventory's names); derived when absent. */
  name?: string;
  /** The host key fingerprint the operator confirmed (or that was pinned), when one was. */
  hostKey: string | null;
  /** Why the host was not read (unreachable, host key refused...): a code and a sentence. */
  notRead?: { code: string; message: string };
  read: ReadResult | null;
  /** The probe of the CPQ listener found in the configuration, when one was made. */
  probe: ProbeResult | null;
  /** Pin the certificate the probe saw. */
  pinCertificate?: boolean;
}

/** The SSH login every discovered appliance is written with (references, never secrets). */
export interface LoginReference {
  user: string;
  /** Exactly one of passwordEnv / keyFile / secretId; `{name}` in a secretId becomes the appliance name. */
  credentials: SshCredentials;
}

/** Something init could not determine, with the inventory field to fill in by hand. */
export interface Unresolved {
  /** The appliance's name, or the host when no appliance entry could be made. */
  appliance: string;
  /** The inventory field, e.g. `appliances[2].quarantine`. */
  field: string;
  why: string;
}

/** A fact worth the operator's attention that needs no edit (e.g. an anonymous-capable cipher list). */
export interface Note {
  appliance: string;
  text: string;
}

/** One appliance as discovered; `sources` says where each inventory value came from. */
export interface DiscoveredAppliance {
  name: string;
  role: 'esa' | 'sma';
  host: string;
  cpqPort: number;
  cluster?: string;
  quarantine?: { sma: string; port: number };
  ssh: { port: number; user: string; hostKeys: string[]; credentials: SshCredentials };
  tls?: { pins: string[] };
  /** Field (`role`, `cpqPort`, `cluster`, `quarantine`, `ssh.hostKeys`, ...) → where it came from. */
  sources: Record<string, string>;
  facts: ApplianceFacts;
}

/** What was seen, for the report and for drift checks (not all of it goes into the inventory). */
export interface ApplianceFacts {
  hostname: string | null;
  model: string | null;
  version: string | null;
  /** The CPQ listener's name and interface, from showconfig. */
  cpqListener: { name: string; interface: string; ip: string | null } | null;
  /** ESA: where its quarantined mail goes (showconfig), as configured. */
  quarantineTarget: { host: string | null; port: number | null; enabled: boolean | null } | null;
  /** Hosts and networks of the CPQ listener's RELAYLIST (on an SMA: the ESAs that may deliver). */
  relayList: string[];
  /** Every address and name the appliance answers to (target host, hostname, interfaces). */
  addresses: string[];
  outboundCiphers: string | null;
  outboundAllowsAnonymous: boolean;
  /** SHA-256 of the CPQ listener's certificate (Node colon hex), null when none was seen. */
  certificate: string | null;
  /** The 220 greeting, printable. */
  banner: string | null;
  probe: { code: string; message: string } | null;
}

/** A host that gave no inventory entry, and why. */
export interface Unread {
  host: string;
  port: number;
  code: string;
  message: string;
}

export interface Discovery {
  appliances: DiscoveredAppliance[];
  unread: Unread[];
  unresolved: Unresolved[];
  notes: Note[];
}

const norm = (h: string) => h.trim().toLowerCase().replace(/\.$/, '');

/** A command's facts in a read, typed by the registry; null when it was not read or did not parse. */
function parsed<N extends CommandName>(read: ReadResult | null, name: N): FactsOf<N> | null {
  return read === null ? null : firstFacts(read, name);
}

type CpqListener = ShowconfigFacts['listeners'][number];

/** Which listener of a read configuration is the CPQ listener (the rule the findings use too). */
function cpqListenerIn(showconfig: ShowconfigFacts | null): CpqListener | null {
  return showconfig === null ? null : cpqListenerOf(showconfig.listeners);
}

/** The facts of one reading as judged here, with the configuration and CPQ listener they came from. */
type ReadingFacts = ApplianceFacts & { showconfig: ShowconfigFacts | null; listener: CpqListener | null };

/** The facts of one reading, before names and roles are settled across the fleet. */
function factsOf(r: HostReading): ReadingFacts {
  const version = parsed(r.read, 'version');
  const showconfig = parsed(r.read, 'showconfig');
  const ssl = parsed(r.read, 'sslconfig');
  const ifaces = parsed(r.read, 'interfaceconfig');
  const listenerCfg = parsed(r.read, 'listenerconfig');
  const cpq = cpqListenerIn(showconfig);
  const interfaces = [...(showconfig?.interfaces ?? []), ...(ifaces?.interfaces ?? [])];
  const ipOf = (name: string) =>
    interfaces.find((i) => i.name === name)?.ip ??
    listenerCfg?.listeners.find((l) => l.interface === name)?.ip ??
    null;
  const addresses = new Set<string>([norm(r.target.host)]);
  if (showconfig?.hostname) addresses.add(norm(showconfig.hostname));
  for (const i of interfaces) {
    if (i.ip) addresses.add(norm(i.ip));
    if (i.hostname) addresses.add(norm(i.hostname));
  }
  const outbound = ssl?.outbound.ciphers ?? showconfig?.tls.outbound.ciphers ?? null;
  const cert = r.probe?.tls?.certificate?.fingerprint256 ?? null;
  return {
    showconfig,
    listener: cpq,
    hostname: showconfig?.hostname ?? null,
    model: version?.Model ?? null,
    version: version?.Version ?? null,
    cpqListener: cpq === null ? null : { name: cpq.name, interface: cpq.interface, ip: ipOf(cpq.interface) },
    quarantineTarget:
      showconfig?.cpq == null
        ? null
        : { host: showconfig.cpq.host, port: showconfig.cpq.port, enabled: showconfig.cpq.enabled },
    relayList:
      cpq?.relayList === null || cpq === null ? [] : [...cpq.relayList.hosts, ...cpq.relayList.networks],
    addresses: [...addresses],
    outboundCiphers: outbound,
    outboundAllowsAnonymous: ssl?.outboundAllowsAnonymous ?? false,
    certificate: cert,
    banner: r.probe?.banner == null ? null : printable(r.probe.banner),
    probe: r.probe === null ? null : { code: r.probe.code, message: printable(r.probe.message) },
  };
}

/** Turns the readings into inventory entries, unresolved fields and notes. Pure. */
export function discover(readings: readonly HostReading[], login: LoginReference): Discovery {
  const found: Discovery = { appliances: [], unread: [], unresolved: [], notes: [] };
  const taken = new Set<string>();
  for (const r of readings) {
    const a = applianceOf(r, login, taken, found);
    if (a !== null) found.appliances.push(a);
  }
  // Quarantine targets need every SMA's name and addresses: a second pass over the drafts.
  const smas = found.appliances.filter((a) => a.role === 'sma');
  for (const a of found.appliances) if (a.role === 'esa') linkQuarantine(a, smas, found);
  missingEsas(found.appliances, smas, found);
  return found;
}

/** One reading → its inventory entry, or null (with the reason in `found.unread`) when it gives none. */
function applianceOf(
  r: HostReading,
  login: LoginReference,
  taken: Set<string>,
  found: Discovery,
): DiscoveredAppliance | null {
  const where = `${r.target.host}:${r.target.port}`;
  if (r.read === null || r.hostKey === null) {
    found.unread.push({
      host: r.target.host,
      port: r.target.port,
      code: r.notRead?.code ?? 'not_read',
      message: printable(r.notRead?.message ?? 'not read'),
    });
    return null;
  }
  const facts = factsOf(r);
  const role = roleFrom(parsed(r.read, 'version'), parsed(r.read, 'status'), facts.showconfig);
  const name = uniqueName(
    r.name ?? nameFrom(facts.hostname ?? '') ?? nameFrom(r.target.host.replace(/[.:]/g, '-')) ?? 'appliance',
    taken,
  );
  if (role === null) {
    found.unread.push({
      host: r.target.host,
      port: r.target.port,
      code: 'role_unknown',
      message: `read, but neither version, status nor showconfig says whether it is an ESA or an SMA (${printable(r.read.message)})`,
    });
    found.unresolved.push({
      appliance: name,
      field: 'appliances[].role',
      why: `${where}: add this appliance by hand with role esa or sma`,
    });
    return null;
  }
  const sources: Record<string, string> = {
    name:
      r.name !== undefined
        ? 'the inventory'
        : facts.hostname
          ? `showconfig (hostname ${printable(facts.hostname)})`
          : `the host given (${where})`,
    role: role.source,
    host: 'the host given to init',
    'ssh.hostKeys': `host key of ${where}, confirmed at init`,
  };
  const a: DiscoveredAppliance = {
    name,
    role: role.role,
    host: r.target.host,
    cpqPort: cpqPortOf(r, r.read, facts, name, sources, found),
    ssh: {
      port: r.target.port,
      user: login.user,
      hostKeys: [r.hostKey],
      credentials: credentialsFor(login.credentials, name),
    },
    sources,
    facts: stripShowconfig(facts),
  };
  if (facts.showconfig?.cluster) {
    a.cluster = nameFrom(facts.showconfig.cluster) ?? undefined;
    if (a.cluster !== undefined)
      sources.cluster = `showconfig: cluster ${printable(facts.showconfig.cluster)}`;
  }
  sources['ssh.credentials'] = credentialSource(a.ssh.credentials);
  if (r.pinCertificate && facts.certificate !== null) {
    a.tls = { pins: [facts.certificate] };
    sources['tls.pins'] = `certificate of the CPQ listener seen by the probe at init (${facts.certificate})`;
  }
  found.notes.push(...readingNotes(a, r, r.read, facts));
  return a;
}

/**
 * The CPQ port from the configuration's CPQ listener (its source noted), or the default with the
 * field left to the operator; a listener on another interface than the SSH host is pointed out.
 */
function cpqPortOf(
  r: HostReading,
  read: ReadResult,
  facts: ReadingFacts,
  name: string,
  sources: Record<string, string>,
  found: Discovery,
): number {
  const listener = facts.listener;
  if (listener === null || listener.port <= 0) {
    sources.cpqPort = `not in showconfig: the default ${DEFAULTS.cpqPort}`;
    found.unresolved.push({
      appliance: name,
      field: 'appliances[].cpqPort',
      why:
        facts.showconfig === null
          ? `showconfig was not read (${printable(read.commands.showconfig?.message ?? read.message)}); ${DEFAULTS.cpqPort} assumed`
          : `no CPQ listener (protocol CPQ / cpq_listener) in showconfig; ${DEFAULTS.cpqPort} assumed`,
    });
    return DEFAULTS.cpqPort;
  }
  const ip = facts.cpqListener?.ip;
  sources.cpqPort = `showconfig: listener ${printable(listener.name)} on interface ${printable(listener.interface)}${ip ? ` (${ip})` : ''}, port ${listener.port}`;
  if (ip && norm(ip) !== norm(r.target.host) && isAddressLike(ip)) {
    found.unresolved.push({
      appliance: name,
      field: `appliances[].host`,
      why: `the CPQ listener listens on interface ${printable(listener.interface)} (${ip}), not on ${r.target.host} where SSH was read: the monitor probes host:cpqPort, so set host (or address) to an address that reaches the listener if ${r.target.host} does not`,
    });
  }
  return listener.port;
}

/** Where the written credentials reference came from (never the secret itself). */
function credentialSource(c: SshCredentials): string {
  if (c.secretId !== undefined)
    return 'Secrets Manager secret id given to init (the secret is never written here)';
  if (c.passwordEnv !== undefined)
    return 'the environment variable given to init (its value is never written here)';
  return 'the key file given to init (its content is never written here)';
}

/** What the operator should know about one reading: a failed probe or command, an anonymous cipher list. */
function readingNotes(a: DiscoveredAppliance, r: HostReading, read: ReadResult, facts: ReadingFacts): Note[] {
  const notes: Note[] = [];
  if (r.probe !== null && r.probe.code !== 'ok') {
    notes.push({
      appliance: a.name,
      text: `the probe of its CPQ listener ${r.target.host}:${a.cpqPort} failed: ${r.probe.code}: ${printable(r.probe.message)}`,
    });
  }
  for (const [line, c] of Object.entries(read.commands)) {
    if (c.code !== 'ok')
      notes.push({ appliance: a.name, text: `"${line}" gave ${c.code}: ${printable(c.message)}` });
  }
  if (a.role === 'esa' && facts.outboundAllowsAnonymous) {
    notes.push({
      appliance: a.name,
      text: `its outbound TLS cipher list (${printable(facts.outboundCiphers ?? '')}) allows anonymous suites: its quarantine deliveries can fail (docs/runbook.md#outbound_ciphers_allow_anonymous)`,
    });
  }
  return notes;
}

/** Sets an ESA's quarantine to the one SMA its configured target names, or says why it cannot. */
function linkQuarantine(
  a: DiscoveredAppliance,
  smas: readonly DiscoveredAppliance[],
  found: Discovery,
): void {
  const t = a.facts.quarantineTarget;
  if (t === null || t.host === null) {
    found.unresolved.push({
      appliance: a.name,
      field: `appliances[].quarantine`,
      why: 'showconfig names no centralized Policy, Virus and Outbreak quarantine (PVO) target: set quarantine.sma (and port) if this ESA uses one',
    });
    return;
  }
  const host = t.host;
  const targetPort = t.port ?? DEFAULTS.cpqPort;
  const byAddress = smas.filter((s) => s.facts.addresses.includes(norm(host)));
  const matches = byAddress.length > 1 ? byAddress.filter((s) => s.cpqPort === targetPort) : byAddress;
  const sma = matches.length === 1 ? matches[0] : undefined;
  if (sma === undefined) {
    found.unresolved.push({
      appliance: a.name,
      field: 'appliances[].quarantine.sma',
      why:
        matches.length === 0
          ? `its quarantine target ${printable(host)}:${targetPort} (showconfig) is none of the SMAs read: run init with that SMA too, or add it and set quarantine.sma`
          : `its quarantine target ${printable(host)}:${targetPort} matches several SMAs (${matches.map((m) => m.name).join(', ')}): set quarantine.sma`,
    });
    return;
  }
  a.quarantine = { sma: sma.name, port: targetPort };
  a.sources.quarantine = `showconfig: quarantine target ${printable(host)} port ${targetPort}${t.enabled === false ? ' (disabled)' : ''} = ${sma.name}`;
  if (t.enabled === false)
    found.notes.push({ appliance: a.name, text: 'its centralized quarantine is configured but disabled' });
  if (targetPort !== sma.cpqPort) {
    found.notes.push({
      appliance: a.name,
      text: `it sends quarantined mail to port ${targetPort}, but ${sma.name}'s CPQ listener is on port ${sma.cpqPort}`,
    });
  }
}

/** An SMA's RELAYLIST names the ESAs that may deliver; one not read is probably a missing ESA. */
function missingEsas(
  appliances: readonly DiscoveredAppliance[],
  smas: readonly DiscoveredAppliance[],
  found: Discovery,
): void {
  const esaAddresses = new Set(appliances.filter((a) => a.role === 'esa').flatMap((a) => a.facts.addresses));
  for (const s of smas) {
    const missing = s.facts.relayList.filter((h) => !esaAddresses.has(norm(h)) && !h.includes('/'));
    if (missing.length > 0) {
      found.unresolved.push({
        appliance: s.name,
        field: 'appliances',
        why: `its CPQ listener accepts quarantined mail from ${missing.map((m) => printable(m)).join(', ')} (RELAYLIST), not among the ESAs read: run init with those ESAs too`,
      });
    }
  }
}

function isAddressLike(text: string): boolean {
  return /^[0-9a-f:.]+$/i.test(text) && text !== '0.0.0.0';
}

function stripShowconfig(f: ReadingFacts): ApplianceFacts {
  const { showconfig: _, listener: _listener, ...rest } = f;
  return rest;
}

/** The credentials reference for one appliance: `{name}` in a secret id becomes its name. */
export function credentialsFor(c: SshCredentials, name: string): SshCredentials {
  return c.secretId !== undefined ? { ...c, secretId: c.secretId.replace(/\{name\}/g, name) } : { ...c };
}
