/**
 * `init --check`: the differences between an inventory and what its appliances report now (a new
 * ESA pointing at an SMA, a changed port, a rotated host key or certificate, a changed role or
 * cluster, an appliance that could not be read). Pure: the CLI re-reads the fleet and hands over a
 * Discovery made with the inventory's own names.
 */
import type { Status } from '../errors';
import type { Appliance, Inventory } from '../inventory/schema';
import { printable } from '../text';
import type { DiscoveredAppliance, Discovery, HostReading } from './discover';

/** One difference, with what the inventory says, what the appliance says, and what to do. */
export interface DriftItem {
  appliance: string;
  /** The inventory field concerned, e.g. `cpqPort`, `ssh.hostKeys`, `quarantine`. */
  field: string;
  severity: Status;
  inventory: string;
  seen: string;
  fix: string;
}

/** Something `init --check` could not compare, and why (a code): it may hide drift. */
export interface NotCompared {
  appliance: string;
  /** A command (`showconfig`), `CPQ probe`, or `everything` when the appliance was not read. */
  what: string;
  why: string;
}

/**
 * What the re-read left uncompared: commands that failed or were not run (their facts are
 * unknown), a CPQ probe that saw no certificate, appliances not read at all or without SSH
 * settings. "No drift" is only true when this is empty.
 */
export function notComparedOf(
  readings: readonly HostReading[],
  commands: readonly string[],
  withoutSsh: readonly string[] = [],
): NotCompared[] {
  const out: NotCompared[] = [];
  for (const r of readings) {
    const appliance = r.name ?? r.target.host;
    if (r.read === null || r.hostKey === null) {
      out.push({ appliance, what: 'everything', why: r.notRead?.code ?? 'not_read' });
      continue;
    }
    const results = Object.entries(r.read.commands);
    for (const name of commands) {
      const found = results.find(([line]) => line === name || line.startsWith(`${name} `));
      if (found === undefined) out.push({ appliance, what: name, why: 'not run' });
      else if (found[1].code !== 'ok') out.push({ appliance, what: name, why: found[1].code });
    }
    if (r.probe === null) out.push({ appliance, what: 'CPQ probe', why: 'not run' });
    else if (r.probe.tls?.certificate?.fingerprint256 === undefined)
      out.push({ appliance, what: 'CPQ probe', why: r.probe.code });
  }
  for (const name of withoutSsh) out.push({ appliance: name, what: 'everything', why: 'no ssh settings' });
  return out;
}

/** `esa1: showconfig (unexpected_prompt), CPQ probe (connect_refused)`, one line per appliance. */
export function notComparedLines(items: readonly NotCompared[]): string[] {
  const by = new Map<string, string[]>();
  for (const i of items) by.set(i.appliance, [...(by.get(i.appliance) ?? []), `${i.what} (${i.why})`]);
  return [...by].map(([a, what]) => `${a}: ${what.join(', ')}`);
}

const norm = (h: string) => h.trim().toLowerCase().replace(/\.$/, '');
const hex = (fp: string) => fp.replace(/:/g, '').toUpperCase();

/**
 * Compares the inventory with the discovery. `seenHostKeys` holds the key each appliance
 * presented (also when the read was refused for it); `recorded` the certificates init recorded.
 */
export function driftOf(
  inv: Inventory,
  d: Discovery,
  seenHostKeys: ReadonlyMap<string, string | null>,
  recorded: ReadonlyMap<string, string> = new Map(),
): DriftItem[] {
  const out: DriftItem[] = [];
  const byName = new Map(d.appliances.map((a) => [a.name, a]));
  const add = (a: string, field: string, severity: Status, inventory: string, seen: string, fix: string) =>
    out.push({ appliance: a, field, severity, inventory, seen: printable(seen), fix });

  for (const a of inv.appliances.filter((x) => x.enabled)) {
    const seenKey = seenHostKeys.get(a.name) ?? null;
    if (a.ssh !== undefined && seenKey !== null && !a.ssh.hostKeys.includes(seenKey)) {
      add(
        a.name,
        'ssh.hostKeys',
        'critical',
        a.ssh.hostKeys.join(', '),
        seenKey,
        `the host key changed: compare ${seenKey} with a fingerprint taken out of band (docs/onboarding.md#host-keys); if it matches, add it to ssh.hostKeys (keep the old one until every reader uses the new)`,
      );
    }
    const found = byName.get(a.name);
    if (found === undefined) {
      const why = d.unread.find((u) => norm(u.host) === norm(a.host));
      if (a.ssh === undefined) continue;
      add(
        a.name,
        'ssh',
        'critical',
        `${a.host}:${a.ssh.port}`,
        why ? `${why.code}: ${why.message}` : 'not read',
        'could not compare: the appliance was not read (see the reason); fix access and run init --check again',
      );
      continue;
    }
    compareAppliance(a, found, recorded.get(a.name), add);
  }

  // An ESA whose quarantine target is one of the inventory's SMAs but which is not in the inventory
  // shows up in that SMA's RELAYLIST: the listener accepts its mail.
  const known = new Set(
    inv.appliances
      .filter((a) => a.role === 'esa')
      .flatMap((a) => [norm(a.host), ...(a.address ? [norm(a.address.split('/')[0]!)] : [])]),
  );
  for (const esa of d.appliances.filter((x) => x.role === 'esa')) {
    for (const addr of esa.facts.addresses) known.add(addr);
  }
  for (const sma of d.appliances.filter((x) => x.role === 'sma')) {
    for (const host of sma.facts.relayList) {
      if (host.includes('/') || known.has(norm(host))) continue;
      add(
        sma.name,
        'appliances',
        'warning',
        'not listed',
        `${host} may deliver quarantined mail (RELAYLIST of ${sma.facts.cpqListener?.name ?? 'the CPQ listener'})`,
        `a new ESA points at ${sma.name}? run: cpq-monitor init ${host} ... and add it to the inventory`,
      );
    }
  }
  return out;
}

function compareAppliance(
  a: Appliance,
  f: DiscoveredAppliance,
  recordedCert: string | undefined,
  add: (a: string, field: string, s: Status, inv: string, seen: string, fix: string) => void,
): void {
  if (a.role !== f.role)
    add(a.name, 'role', 'warning', a.role, `${f.role} (${f.sources.role})`, `set role: ${f.role}`);
  if (a.cpqPort !== f.cpqPort && !/^not in showconfig/.test(f.sources.cpqPort ?? '')) {
    add(
      a.name,
      'cpqPort',
      'critical',
      String(a.cpqPort),
      `${f.cpqPort} (${f.sources.cpqPort})`,
      `the monitor probes the wrong port: set cpqPort: ${f.cpqPort}`,
    );
  }
  if ((a.cluster ?? null) !== (f.cluster ?? null)) {
    add(
      a.name,
      'cluster',
      'warning',
      a.cluster ?? '(none)',
      f.cluster ?? '(none)',
      f.cluster ? `set cluster: ${f.cluster}` : 'remove cluster',
    );
  }
  if (a.role === 'esa') {
    const inv = a.quarantine ? `${a.quarantine.sma} port ${a.quarantine.port}` : '(none)';
    const t = f.facts.quarantineTarget;
    const seen = f.quarantine
      ? `${f.quarantine.sma} port ${f.quarantine.port}`
      : t?.host
        ? `${t.host} port ${t.port ?? '?'} (no SMA of the inventory)`
        : '(none)';
    if (inv !== seen) {
      add(
        a.name,
        'quarantine',
        'warning',
        inv,
        seen,
        f.quarantine
          ? `set quarantine: { sma: ${f.quarantine.sma}, port: ${f.quarantine.port} }`
          : "check the ESA's centralized quarantine settings (showconfig) and the inventory",
      );
    }
  }
  const cert = f.facts.certificate;
  const pins = a.tls?.pins ?? [];
  if (cert !== null && pins.length > 0 && !pins.some((p) => hex(p) === hex(cert))) {
    add(
      a.name,
      'tls.pins',
      'critical',
      pins.join(', '),
      cert,
      'the CPQ certificate changed: if the new one is expected (renewal), add it to tls.pins before the monitor pages cert_pin_mismatch',
    );
  } else if (
    cert !== null &&
    pins.length === 0 &&
    recordedCert !== undefined &&
    hex(recordedCert) !== hex(cert)
  ) {
    add(
      a.name,
      'tls',
      'ok',
      recordedCert,
      cert,
      'the CPQ certificate was replaced since init (not pinned, so nothing fails); confirm the renewal was expected',
    );
  }
}
