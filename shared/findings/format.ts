/** Small helpers shared by the rules: building findings, one-line summaries, evidence lines. */
import type { ProbeResult } from '../probes/types';
import { clip, oneLine } from '../text';
import { findingId } from './ids';
import { type FixContext, remediationFor } from './remediation';
import { type CheckName, type Finding, type Severity, severityRank } from './types';

/** Longest summary (characters): it is a page's subject and an SMS line. */
export const SUMMARY_MAX = 89;
/** Most list items spelled out in one evidence line before "… and N more". */
export const LIST_MAX = 12;
/** Most raw lines copied into one finding's evidence. */
export const RAW_LINES_MAX = 20;

/** Sorts findings by severity (critical first), then id. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** A finding's summary: one printable line of at most SUMMARY_MAX characters (cut with `…`). */
export function summaryLine(text: string): string {
  return clip(oneLine(text), SUMMARY_MAX, '…');
}

/** `a, b, c … and N more` for long lists. */
export function listOf(items: readonly string[], max = LIST_MAX): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} … and ${items.length - max} more`;
}

export interface FindingDraft {
  check: CheckName;
  appliance: string;
  role: 'esa' | 'sma';
  severity: Severity;
  summary: string;
  evidence: string[];
  fix?: Omit<FixContext, 'appliance' | 'role'>;
  /** Set for a path finding: its id is `<path>/<check>`. */
  path?: string;
  /** A fingerprint of the cause (see Finding.cause). */
  cause?: string;
}

/** A complete finding from a draft: id, clipped summary, remediation and runbook anchor filled in. */
export function makeFinding(d: FindingDraft): Finding {
  const f: Finding = {
    id: findingId(d.check, d.appliance, d.path),
    appliance: d.appliance,
    check: d.check,
    severity: d.severity,
    summary: summaryLine(d.summary),
    evidence: d.evidence,
    remediation: remediationFor(d.check, { appliance: d.appliance, role: d.role, ...d.fix }),
    runbook: d.check,
  };
  if (d.path !== undefined) f.path = d.path;
  if (d.cause !== undefined) f.cause = d.cause;
  return f;
}

function ms(label: string, v: number | undefined): string | null {
  return v === undefined ? null : `${label} ${Math.round(v)} ms`;
}

/** Evidence lines of one probe: verdict and message, phase timings, banner, TLS and certificate facts. */
export function probeEvidence(p: ProbeResult, prefix = ''): string[] {
  const where = `${p.host}:${p.port}${p.address && p.address !== p.host ? ` (${p.address})` : ''}`;
  const verdict = p.code === 'ok' ? `${p.status}` : `${p.status} ${p.code} in phase ${p.phase}`;
  const lines = [`${prefix}probe ${where} at ${p.startedAt}: ${verdict}: ${p.message}`];
  const t = p.timings;
  const timings = [
    ms('connect', t.connectMs),
    ms('banner', t.bannerMs),
    ms('ehlo', t.ehloMs),
    ms('starttls', t.starttlsMs),
    ms('tls', t.tlsMs),
    ms('total', t.totalMs),
  ].filter((s): s is string => s !== null);
  lines.push(`${prefix}timings: ${timings.join(', ')}`);
  if (p.banner !== null) lines.push(`${prefix}banner: ${p.banner.split('\n').join(' | ')}`);
  if (p.extensions.length > 0) lines.push(`${prefix}EHLO: ${p.extensions.join(', ')}`);
  if (p.tls !== null) {
    const tls = p.tls;
    lines.push(
      `${prefix}tls: ${tls.protocol} ${tls.cipher}${tls.anonymous ? ' (anonymous: no certificate)' : ''}, verified ${tls.verified}${tls.verifyError ? `, verify error: ${tls.verifyError}` : ''}`,
    );
    const c = tls.certificate;
    if (c !== null) {
      lines.push(
        `${prefix}certificate: subject ${c.subject}; issuer ${c.issuer}; valid ${c.validFrom} to ${c.validTo} (${c.daysRemaining} days remaining); sha256 ${c.fingerprint256}`,
      );
    }
  }
  if (p.warnings.length > 0) lines.push(`${prefix}warnings: ${p.warnings.join(', ')}`);
  return lines;
}

/** The lines of a command's raw output that mention `needle` (case-insensitive), capped. */
export function rawLinesWith(raw: string, needle: string, max = RAW_LINES_MAX): string[] {
  const n = needle.toLowerCase();
  return raw
    .split(/\r?\n/)
    .filter((l) => l.toLowerCase().includes(n))
    .map((l) => l.trimEnd())
    .slice(0, max);
}
