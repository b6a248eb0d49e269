/**
 * mail_logs lines (from `grep`) → typed events: CPQ connections, deliveries toward the
 * Centralized Policy Quarantine, TLS outcomes, connection errors (old and new formats) and
 * application faults (docs/domain.md#mail_logs-lines). Lines of no known shape are kept, not dropped.
 */
import type { MailLogEvent, MailLogFacts } from '../types';
import { cliError, outputLines, type ParseOutcome, unparsable } from './common';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `Fri Sep 13 15:08:02 2013 Info: text` (day space-padded), optionally after a `mail_logs:` prefix. */
const LINE =
  /^(?:\S+:\s*)?(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) +(?:([A-Za-z]+): +)?(.*)$/;

type Base = { timestamp: string | null; raw: string; icid?: number; dcid?: number; mid?: number };

/** Parses grep output of mail_logs. */
export function parseMailLog(raw: string): ParseOutcome<MailLogFacts> {
  const lines = outputLines(raw).filter((l) => l.trim() !== '');
  const events: MailLogEvent[] = [];
  const unknownLines: string[] = [];
  let stamped = 0;
  for (const line of lines) {
    const m = LINE.exec(line.trim());
    let timestamp: string | null = null;
    let text = line.trim();
    if (m) {
      stamped++;
      const month = MONTHS.indexOf(m[1]!);
      timestamp = new Date(
        Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])),
      ).toISOString();
      text = m[8]!;
    }
    const event = eventFrom(text, { timestamp, raw: line });
    if (event === null) unknownLines.push(line);
    else events.push(event);
  }
  if (lines.length > 0 && stamped === 0 && events.length === 0) {
    return unparsable(
      cliError(lines) ?? `no mail_logs lines in the output (first line: "${lines[0]!.trim()}")`,
    );
  }
  return { ok: true, facts: { events, unknownLines } };
}

function ids(text: string): Pick<Base, 'icid' | 'dcid' | 'mid'> {
  const out: Pick<Base, 'icid' | 'dcid' | 'mid'> = {};
  const icid = /\bICID:? (\d+)/.exec(text);
  const dcid = /\bDCID:? (\d+)/.exec(text);
  const mid = /\bMID:? (\d+)/.exec(text);
  if (icid) out.icid = Number(icid[1]);
  if (dcid) out.dcid = Number(dcid[1]);
  if (mid) out.mid = Number(mid[1]);
  return out;
}

/** One message text → an event, or null when it is of no known shape. */
export function eventFrom(text: string, at: { timestamp: string | null; raw: string }): MailLogEvent | null {
  const base: Base = { ...at, ...ids(text) };
  let m = /^New CPQ ICID \d+ interface (.+?) address (\S+)/.exec(text);
  if (m) return { ...base, type: 'cpq_connection', interface: m[1]!, address: m[2]! };
  m = /^New SMTP DCID \d+ interface (\S+) address (\S+) port (\d+)/.exec(text);
  if (m)
    return { ...base, type: 'delivery_connection', interface: m[1]!, address: m[2]!, port: Number(m[3]) };
  m = /^(?:DCID|ICID) \d+ TLS success protocol (\S+) cipher (\S+)(?: (\S+))?/.exec(text);
  if (m) return { ...base, type: 'tls_success', protocol: m[1]!, cipher: m[2]!, destination: m[3] ?? null };
  m = /^(?:DCID|ICID) \d+ TLS failed:? (.*)$/.exec(text);
  if (m) return { ...base, type: 'tls_failed', reason: m[1]!.trim() };
  if (/^(?:DCID|ICID) \d+ TLS was required but could not be successfully negotiated/.test(text)) {
    return { ...base, type: 'tls_required_failed' };
  }
  m = /^Delivery start DCID \d+ MID \d+ to RID \[(\d+)\](?:,?\s*(?:to\s+)?(.*))?$/.exec(text);
  if (m) return { ...base, type: 'delivery_start', rid: Number(m[1]), destination: (m[2] ?? '').trim() };
  m = /^Message done DCID \d+ MID \d+ to RID \[(\d+)\](?:\s*\((.*)\))?/.exec(text);
  if (m) return { ...base, type: 'message_done', rid: Number(m[1]), destination: (m[2] ?? '').trim() };
  if (/^Connection Error:/i.test(text))
    return { ...base, type: 'connection_error', ...connectionError(text) };
  if (/application (?:fault|error)|An application fault occurred/i.test(text)) {
    return { ...base, type: 'application_fault', text };
  }
  return null;
}

/**
 * Both layouts: `Connection Error: DCID 63 domain: d IP: i port: 7025 details: ... interface: x
 * reason: network error` and the older `Connection Error: DCID: 263 IP: i port: 7025 ...`.
 */
function connectionError(text: string): {
  address: string | null;
  port: number | null;
  domain: string | null;
  reason: string | null;
  details: string | null;
} {
  const keys = ['DCID', 'domain', 'IP', 'port', 'details', 'interface', 'reason'];
  const fields = new Map<string, string>();
  const re = new RegExp(`\\b(${keys.join('|')}):?\\s`, 'g');
  const marks = [...text.matchAll(re)].map((m) => ({
    key: m[1]!,
    start: m.index!,
    valueStart: m.index! + m[0].length,
  }));
  marks.forEach((mark, i) => {
    const value = text.slice(mark.valueStart, marks[i + 1]?.start ?? text.length).trim();
    if (!fields.has(mark.key)) fields.set(mark.key, value);
  });
  const port = fields.get('port');
  return {
    address: fields.get('IP') ?? null,
    port: port !== undefined && /^\d+$/.test(port) ? Number(port) : null,
    domain: fields.get('domain') ?? null,
    reason: fields.get('reason') ?? null,
    details: fields.get('details') ?? null,
  };
}
