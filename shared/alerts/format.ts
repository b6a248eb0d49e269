/** Text renderings of a notification: subject, e-mail body, SMS line, JSON document. */
import { clip, oneLine, printable } from '../text';
import {
  ALERT_DOCUMENT_SCHEMA,
  type AlertDocument,
  type AlertNotification,
  DOCUMENT_LINES,
  LINE_CHARS,
  SUBJECT_MAX,
} from './document';

/** One SMS segment is 160 GSM characters; stay under it with room for a sender prefix. */
export const SMS_MAX = 140;

/** One printable line of at most `max` characters. */
function field(text: string, max = LINE_CHARS): string {
  return clip(printable(text.length > 4 * max ? text.slice(0, 4 * max) : text), max);
}

/** What happened, in capitals: `CRITICAL ALARM`, `ESCALATED WARNING->CRITICAL`, `RECOVERED`... */
export function headline(n: AlertNotification, arrow = '->'): string {
  const sev = n.severity.toUpperCase();
  switch (n.kind) {
    case 'page':
      return `${sev} ALARM`;
    case 'escalation':
      return n.previousSeverity
        ? `ESCALATED ${n.previousSeverity.toUpperCase()}${arrow}${sev}`
        : `ESCALATED ${sev}`;
    case 'reminder':
      return `REMINDER ${sev}`;
    case 'update':
      return `UPDATED ${sev}`;
    case 'recovery':
      return 'RECOVERED';
  }
}

/** The e-mail subject: under 100 characters, no control characters. */
export function subjectOf(n: AlertNotification): string {
  return clip(oneLine(`${headline(n)} ${n.appliance} ${n.check}: ${n.summary}`), SUBJECT_MAX);
}

/**
 * Plain ASCII: one character outside the GSM alphabet switches an SMS to UCS-2, which halves a
 * segment to 70 characters, so arrows and accents are spelled out or dropped.
 */
export function toAscii(text: string): string {
  return text
    .replace(/[\u2192\u27f6]/g, '->')
    .replace(/[\u2190]/g, '<-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

/** The SMS: one short ASCII line. */
export function smsOf(n: AlertNotification): string {
  const text =
    n.kind === 'recovery'
      ? `OK ${n.appliance} ${n.check} recovered after ${duration(n.since, n.at)}`
      : `${headline(n)} ${n.appliance} ${n.check}: ${n.summary}`;
  return clip(toAscii(oneLine(text)), SMS_MAX);
}

/** Human duration between two ISO instants, e.g. `3h 5m`, `12m`, `40s`. */
export function duration(fromIso: string, toIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function capped(lines: string[]): string[] {
  const out = lines.slice(0, DOCUMENT_LINES).map((l) => field(l.replace(/\r/g, '').trimEnd()));
  if (lines.length > DOCUMENT_LINES) out.push(`(${lines.length - DOCUMENT_LINES} more lines not shown)`);
  return out;
}

/** The readable body: what, where, since when, evidence, fix, runbook link. Every value printable. */
export function emailBodyOf(n: AlertNotification): string {
  const summary = field(n.summary);
  const where = `${field(n.appliance)} (check ${field(n.check)})`;
  const since = field(n.since);
  const at = field(n.at);
  const lines: string[] = [];
  if (n.kind === 'recovery') {
    lines.push(`RECOVERED: ${summary}`, '');
    lines.push(`Where:     ${where}`);
    lines.push(`Failing:   from ${since} to ${at} (${duration(n.since, n.at)})`);
    lines.push(`Severity:  ${field(n.severity)} while it lasted`);
  } else {
    lines.push(`${headline(n)}: ${summary}`, '');
    lines.push(`What:      ${summary}`);
    lines.push(`Where:     ${where}`);
    lines.push(`Since:     ${since} (${duration(n.since, n.at)} ago)`);
    lines.push(
      `Severity:  ${field(n.severity)}${n.previousSeverity ? ` (was ${field(n.previousSeverity)})` : ''}`,
    );
    if (n.deferredBy) lines.push(`Held back: by maintenance "${field(n.deferredBy)}", which has ended`);
  }
  if (n.coalesced !== undefined && n.coalesced > 0) {
    lines.push(
      `Flapping:  ${n.coalesced} earlier notification(s) of this alert could not be delivered; this one stands for them`,
    );
  }
  if (n.evidence.length > 0) {
    lines.push('', n.kind === 'recovery' ? 'Evidence when it failed:' : 'Evidence:');
    for (const e of capped(n.evidence)) lines.push(`  ${e}`);
  }
  if (n.kind !== 'recovery' && n.remediation.length > 0) {
    lines.push('', 'Fix:');
    capped(n.remediation).forEach((r, i) => {
      lines.push(`  ${i + 1}. ${r}`);
    });
  }
  lines.push('', `Runbook:   ${field(n.runbookUrl)}`);
  lines.push(
    `Alert:     ${field(n.alertId)} (${field(n.kind)}, notification ${field(n.notificationId)}, ${at})`,
  );
  return `${lines.join('\n')}\n`;
}

/** The machine-readable document for HTTPS, Lambda, SQS and chat subscribers. */
export function documentOf(n: AlertNotification): AlertDocument {
  return {
    schema: ALERT_DOCUMENT_SCHEMA,
    ...n,
    summary: field(n.summary),
    evidence: capped(n.evidence),
    remediation: capped(n.remediation),
    subject: subjectOf(n),
  };
}
