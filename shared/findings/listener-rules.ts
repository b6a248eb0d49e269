/**
 * Listener rules: one cycle's probes of each appliance's cpq_listener → findings.
 * When a cycle probes one listener once per peer (`from`), a failure seen on every path is one
 * finding on the listener's appliance (it pages once), a failure on some paths only is a path
 * finding `<from>-><to>/<check>`.
 */

import type { Appliance, Inventory } from '../inventory/schema';
import { tlsFor } from '../inventory/settings';
import { esasOf, peersOf } from '../inventory/topology';
import type { ListenerObservation } from '../observations';
import type { ProbeCode, ProbePhase, ProbeResult } from '../probes/types';
import { expiredAgo, expiresIn, expiresWithinDays } from '../tls/certificate';
import { isNullEncryptionCipher } from '../tls/ciphers';
import { listOf, makeFinding, probeEvidence } from './format';
import { findingId, pathId } from './ids';
import {
  CHECKS,
  type CheckName,
  type Finding,
  LISTENER_CHECKS,
  type ListenerMemory,
  type Severity,
  worstSeverity,
} from './types';

export { LISTENER_CHECKS };

/**
 * Listener checks whose failure means no quarantined or released mail can pass: all but the
 * warnings and `cpq_tls_no_encryption` (critical, but mail does pass: in clear text).
 */
export const LISTENER_DOWN_CHECKS: ReadonlySet<CheckName> = new Set<CheckName>(
  LISTENER_CHECKS.filter(
    (c) => c !== 'cpq_cert_expiring' && c !== 'cpq_tls_weak' && c !== 'cpq_tls_no_encryption',
  ),
);

const PHASES: readonly ProbePhase[] = ['dns', 'connect', 'banner', 'ehlo', 'starttls', 'tls', 'quit'];

type FailureCode = Exclude<ProbeCode, 'ok'>;
type CheckOfPhase = (phase: ProbePhase) => CheckName | null;

/** `check` for each of the codes, whatever the phase. */
function always<C extends FailureCode>(check: CheckName, ...codes: [C, ...C[]]): Record<C, CheckOfPhase> {
  const out = {} as Record<C, CheckOfPhase>;
  for (const code of codes) out[code] = () => check;
  return out;
}

/**
 * Every failure code of the probe → its check (the type makes the list complete). Most codes
 * raise one check whatever the phase; `protocol_error` depends on it, and a failure in `quit`
 * (after TLS and the certificate were checked) raises nothing: mail would have passed.
 */
export const PROBE_CODE_CHECKS: Record<FailureCode, CheckOfPhase> = {
  ...always('cpq_listener_unreachable', 'dns_failed', 'connect_timeout', 'connect_failed'),
  ...always('cpq_listener_refused', 'connect_refused'),
  ...always('cpq_banner_invalid', 'banner_timeout', 'banner_rejected'),
  ...always('cpq_starttls_unavailable', 'ehlo_rejected', 'starttls_not_offered', 'starttls_rejected'),
  ...always('cpq_tls_failed', 'tls_handshake_failed'),
  ...always('cpq_tls_no_encryption', 'tls_no_encryption'),
  ...always('cpq_tls_anonymous', 'tls_no_certificate'),
  ...always('cpq_cert_expired', 'cert_expired'),
  ...always('cpq_cert_not_yet_valid', 'cert_not_yet_valid'),
  ...always('cpq_cert_mismatch', 'cert_untrusted', 'cert_pin_mismatch'),
  protocol_error: (phase) =>
    phase === 'quit'
      ? null
      : phase === 'tls'
        ? 'cpq_tls_failed'
        : phase === 'ehlo' || phase === 'starttls'
          ? 'cpq_starttls_unavailable'
          : 'cpq_banner_invalid',
};

interface FiredCheck {
  check: CheckName;
  severity: Severity;
  /** The summary without the appliance/path prefix. */
  what: string;
  /** Lines that add to the probe's own evidence. */
  extra: string[];
}

/** What one probe says: the checks it could evaluate and those that fired. */
export interface ProbeVerdict {
  checked: Set<CheckName>;
  fired: Map<CheckName, FiredCheck>;
}

function firstLine(s: string | null): string {
  return (s ?? '').split('\n')[0] ?? '';
}

function describe(check: CheckName, p: ProbeResult): string {
  const c = p.tls?.certificate ?? null;
  switch (check) {
    case 'cpq_listener_refused':
      return `CPQ listener refused connections on port ${p.port}`;
    case 'cpq_listener_unreachable':
      return p.code === 'dns_failed'
        ? `CPQ listener host name does not resolve (${p.host})`
        : `CPQ listener unreachable on port ${p.port} (${p.code})`;
    case 'cpq_banner_invalid':
      return p.code === 'banner_timeout'
        ? `CPQ listener sent no 220 greeting on port ${p.port}`
        : `CPQ listener greeting invalid: ${firstLine(p.banner) || p.code}`;
    case 'cpq_starttls_unavailable':
      return `CPQ listener offers no working STARTTLS (${p.code})`;
    case 'cpq_tls_failed':
      return `TLS handshake with the CPQ listener failed (${p.code})`;
    case 'cpq_tls_no_encryption':
      return `CPQ TLS negotiated ${p.tls?.cipher ?? 'a NULL cipher'}: no encryption, mail crosses in clear text`;
    case 'cpq_tls_anonymous':
      return `CPQ TLS negotiated anonymous ${p.tls?.cipher ?? 'cipher'}: no certificate`;
    case 'cpq_cert_expired':
      return c ? `CPQ certificate expired ${expiredAgo(c.daysRemaining)}` : 'CPQ certificate expired';
    case 'cpq_cert_not_yet_valid':
      return c ? `CPQ certificate not valid before ${c.validFrom}` : 'CPQ certificate not yet valid';
    case 'cpq_cert_expiring':
      return c ? `CPQ certificate expires in ${expiresIn(c.daysRemaining)}` : 'CPQ certificate expires soon';
    case 'cpq_cert_mismatch':
      return p.code === 'cert_untrusted'
        ? 'CPQ certificate not trusted by the configured CA'
        : 'CPQ certificate does not match the pinned fingerprints';
    case 'cpq_tls_weak':
      return `weak CPQ TLS: ${p.tls?.protocol ?? '?'} ${p.tls?.cipher ?? '?'}`;
    default:
      return check;
  }
}

function reached(p: ProbeResult, phase: ProbePhase): boolean {
  return p.code === 'ok' || PHASES.indexOf(p.phase) >= PHASES.indexOf(phase);
}

/** Judges one probe against the appliance's expiry threshold. */
export function judgeProbe(p: ProbeResult, expiryWarnDays: number): ProbeVerdict {
  const checked = new Set<CheckName>(['cpq_listener_refused', 'cpq_listener_unreachable']);
  const fired = new Map<CheckName, FiredCheck>();
  const fire = (check: CheckName, severity: Severity, extra: string[] = []) => {
    if (!fired.has(check)) fired.set(check, { check, severity, what: describe(check, p), extra });
  };
  const cert = p.tls?.certificate ?? null;
  if (reached(p, 'banner')) checked.add('cpq_banner_invalid');
  if (reached(p, 'ehlo')) checked.add('cpq_starttls_unavailable');
  if (reached(p, 'tls')) {
    checked.add('cpq_tls_failed');
    checked.add('cpq_tls_anonymous');
    checked.add('cpq_tls_no_encryption');
  }
  if (cert !== null) {
    for (const c of [
      'cpq_cert_expired',
      'cpq_cert_not_yet_valid',
      'cpq_cert_expiring',
      'cpq_cert_mismatch',
    ] as const)
      checked.add(c);
  }
  if (p.tls !== null) checked.add('cpq_tls_weak');

  if (p.code !== 'ok') {
    const check = PROBE_CODE_CHECKS[p.code](p.phase);
    if (check !== null) fire(check, 'critical');
  }
  if (p.tls?.anonymous) fire('cpq_tls_anonymous', 'critical');
  if (p.tls && isNullEncryptionCipher(p.tls.cipher)) fire('cpq_tls_no_encryption', 'critical');
  if (cert !== null) {
    if (cert.daysRemaining < 0) fire('cpq_cert_expired', 'critical');
    const notYet = fired.has('cpq_cert_not_yet_valid');
    const expiring =
      p.warnings.includes('cert_expiring') || expiresWithinDays(cert.daysRemaining, expiryWarnDays);
    if (expiring && !fired.has('cpq_cert_expired') && !notYet) {
      fire('cpq_cert_expiring', 'warning', [`threshold: ${expiryWarnDays} days; expires ${cert.validTo}`]);
    }
  }
  const weak = p.warnings.filter((w) => w === 'weak_tls_protocol' || w === 'weak_cipher');
  if (weak.length > 0) fire('cpq_tls_weak', 'warning');
  for (const check of fired.keys()) checked.add(check);
  return { checked, fired };
}

/** Result of the listener rules over one cycle. */
export interface ListenerRulesResult {
  findings: Finding[];
  checked: string[];
  /** Probe outcome by appliance, for the next cycles' memory. */
  listeners: Record<string, ListenerMemory>;
}

/**
 * The paths a listener serves: its enabled ESAs sending to an SMA, or the SMA releasing to an
 * ESA (named even when that SMA is not monitored: it still releases mail).
 */
export function pathsInto(inv: Inventory, target: Appliance): string[] {
  return peersOf(inv, target, target.role === 'sma' ? 'enabled' : 'all').map((p) =>
    pathId(p.name, target.name),
  );
}

function peerOf(inv: Inventory, target: Appliance, from: string | undefined): string {
  if (from !== undefined) return from;
  if (target.role === 'esa') return target.quarantine?.sma ?? 'the SMA';
  const esas = esasOf(inv, target.name);
  return esas.length === 1 ? esas[0]!.name : `each ESA sending to ${target.name}`;
}

function latestPerKey(observations: ListenerObservation[]): ListenerObservation[] {
  // Probes of a listener without `from` stand for every peer: the latest one wins, and probes
  // with `from` are ignored then (one view per listener per cycle).
  const plain = observations.filter((o) => o.from === undefined);
  const pool = plain.length > 0 ? plain : observations;
  const byKey = new Map<string, ListenerObservation>();
  for (const o of pool) {
    const key = o.from ?? '*';
    const prev = byKey.get(key);
    if (prev === undefined || Date.parse(o.at) >= Date.parse(prev.at)) byKey.set(key, o);
  }
  return plain.length > 0 ? [byKey.get('*')!] : [...byKey.values()];
}

/** Runs the listener rules over this cycle's probes. */
export function listenerRules(inv: Inventory, observations: ListenerObservation[]): ListenerRulesResult {
  const findings: Finding[] = [];
  const checked: string[] = [];
  const listeners: Record<string, ListenerMemory> = {};
  const byAppliance = new Map<string, ListenerObservation[]>();
  for (const o of observations) byAppliance.set(o.appliance, [...(byAppliance.get(o.appliance) ?? []), o]);

  for (const target of inv.appliances) {
    const group = byAppliance.get(target.name);
    if (!target.enabled || group === undefined) continue;
    const obs = latestPerKey(group);
    const warnDays = tlsFor(inv, target).expiryWarnDays;
    const verdicts = obs.map((o) => ({ o, v: judgeProbe(o.probe, warnDays) }));
    const perPath = obs.length > 1 || obs[0]!.from !== undefined;
    const served = pathsInto(inv, target);
    const down: string[] = [];
    const pathsDown: Record<string, string[]> = {};

    for (const check of CHECKS) {
      const checkedIn = verdicts.filter((x) => x.v.checked.has(check));
      if (checkedIn.length === 0) continue;
      checked.push(findingId(check, target.name));
      if (perPath)
        for (const x of checkedIn)
          checked.push(findingId(check, target.name, pathId(x.o.from!, target.name)));
      const firedIn = checkedIn.filter((x) => x.v.fired.has(check));
      if (firedIn.length === 0) continue;

      if (firedIn.length === verdicts.length) {
        // Every path probed fails the same way: the listener's appliance is the cause; one page.
        const first = firedIn[0]!;
        const fc = first.v.fired.get(check)!;
        const severity = worstSeverity(firedIn.map((x) => x.v.fired.get(check)!.severity))!;
        const evidence: string[] = [];
        if (perPath) {
          evidence.push(
            `fails on every path probed: ${listOf(firedIn.map((x) => pathId(x.o.from!, target.name)))}`,
          );
          evidence.push(...probeEvidence(first.o.probe, `via ${first.o.from}: `));
          for (const x of firedIn.slice(1, 1 + 10)) {
            evidence.push(`via ${x.o.from}: ${x.o.probe.code}: ${x.o.probe.message}`);
          }
        } else {
          evidence.push(...probeEvidence(first.o.probe));
        }
        evidence.push(...fc.extra);
        if (served.length > 0) evidence.push(`paths affected: ${listOf(served)}`);
        const f = makeFinding({
          check,
          appliance: target.name,
          role: target.role,
          severity,
          summary: `${target.name}: ${fc.what}`,
          evidence,
          fix: { port: first.o.probe.port, code: first.o.probe.code, peer: peerOf(inv, target, undefined) },
        });
        findings.push(f);
        if (severity === 'critical' && LISTENER_DOWN_CHECKS.has(check)) down.push(f.id);
        continue;
      }
      // Only some paths fail: one finding per failing path, told apart from "the listener is down".
      const quiet = checkedIn.filter((x) => !x.v.fired.has(check)).map((x) => pathId(x.o.from!, target.name));
      const unreached = verdicts
        .filter((x) => !x.v.checked.has(check))
        .map((x) => pathId(x.o.from!, target.name));
      const others = [
        ...(quiet.length > 0 ? [`passes on ${listOf(quiet)}`] : []),
        ...(unreached.length > 0 ? [`not reached on ${listOf(unreached)}`] : []),
      ].join('; ');
      for (const x of firedIn) {
        const fc = x.v.fired.get(check)!;
        const path = pathId(x.o.from!, target.name);
        if (fc.severity === 'critical' && LISTENER_DOWN_CHECKS.has(check)) {
          pathsDown[path] = [...(pathsDown[path] ?? []), findingId(check, target.name, path)];
        }
        findings.push(
          makeFinding({
            check,
            appliance: target.name,
            role: target.role,
            severity: fc.severity,
            summary: `${x.o.from} -> ${target.name}: ${fc.what}`,
            evidence: [
              `fails on path ${path} only; ${others}`,
              ...probeEvidence(x.o.probe, `via ${x.o.from}: `),
              ...fc.extra,
            ],
            fix: { port: x.o.probe.port, code: x.o.probe.code, peer: x.o.from! },
            path,
          }),
        );
      }
    }
    const at = obs.map((o) => o.at).sort((a, b) => Date.parse(b) - Date.parse(a))[0]!;
    listeners[target.name] =
      Object.keys(pathsDown).length > 0 ? { at, down, paths: pathsDown } : { at, down };
  }
  return { findings, checked, listeners };
}
