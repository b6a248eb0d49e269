/**
 * `status` / `status detail`: the header labels (`System status:` ...), then the Counters,
 * Rates and Gauges tables with nested, indented labels. ESA and SMA layouts.
 */
import type { StatusFacts } from '../types';
import { cliError, outputLines, type ParseOutcome, parseCount, unparsable } from './common';

type Section = 'header' | 'counters' | 'rates' | 'gauges' | 'services';

const HEADER = /^([A-Za-z][^:]{0,60}?):\s+(.*)$/;
/**
 * A table row: indentation, label, then one to three values: counts with thousands separators,
 * percentages (`23%`), sizes with a unit (`54G`, kept out of the numbers) or `-`.
 */
const ROW = /^(\s*)(\S.*?)((?:\s+(?:[\d,]+(?:\.\d+)?%?|\d+(?:\.\d+)?[KMGT]B?|-)){1,3})$/;

/** Parses `status` or `status detail` output. */
export function parseStatus(raw: string): ParseOutcome<StatusFacts> {
  const lines = outputLines(raw);
  const header = new Map<string, string>();
  const counters: StatusFacts['counters'] = {};
  const gauges: StatusFacts['gauges'] = {};
  const services: StatusFacts['services'] = {};
  let section: Section = 'header';
  let heading: { label: string; indent: number } | null = null;
  let sawServices = false;

  for (const line of lines) {
    if (line.trim() === '') continue;
    const top = /^(Counters|Rates|Gauges|Services)\b[^:]*:/.exec(line);
    if (top) {
      section = top[1]!.toLowerCase() as Section;
      heading = null;
      continue;
    }
    if (section === 'services') {
      // `  Centralized Quarantine Service     Up` or `Reporting Service: Up`.
      const svc = /^\s*(\S.*?)(?::\s+|\s{2,})(\S.*)$/.exec(line);
      if (svc) services[svc[1]!.trim()] = svc[2]!.trim();
      sawServices = true;
      continue;
    }
    if (section === 'header') {
      const h = HEADER.exec(line.trim());
      if (h) {
        const label = h[1]!.trim();
        if (!header.has(label)) header.set(label, h[2]!.trim());
        // A service state among the header labels (SMA layouts); feature keys are not services.
        if (/Service$/.test(label) && !/^Feature\b/.test(label)) services[label] = h[2]!.trim();
      }
      continue;
    }
    const row = ROW.exec(line);
    if (!row) {
      // A heading: a group (`  Receiving`) or a two-line label (`    Messages In Quarantine`).
      heading = { label: line.trim().replace(/:$/, ''), indent: line.length - line.trimStart().length };
      continue;
    }
    const indent = row[1]!.length;
    let label = row[2]!.trim();
    if (heading !== null && heading.indent >= 4 && indent > heading.indent)
      label = `${heading.label}: ${label}`;
    else if (heading !== null && indent <= heading.indent) heading = null;
    const values = row[3]!
      .trim()
      .split(/\s+/)
      .map((v) => parseCount(v.replace(/%$/, '')));
    if (section === 'counters') {
      // Rows with fewer columns (Current IDs) fill from the right: their one value is lifetime.
      const [reset, uptime, lifetime] = [null, null, null, ...values].slice(-3) as Array<number | null>;
      if (!(label in counters))
        counters[label] = { reset: reset ?? null, uptime: uptime ?? null, lifetime: lifetime ?? null };
    } else if (section === 'gauges') {
      const v = values[values.length - 1];
      if (v !== null && v !== undefined && !(label in gauges)) gauges[label] = v;
    }
  }

  const systemStatus = header.get('System status') ?? header.get('System Status');
  if (systemStatus === undefined) {
    return unparsable(cliError(lines) ?? 'no "System status:" line in the status output');
  }
  const sma =
    sawServices ||
    Object.keys(services).length > 0 ||
    [...header.keys()].some((k) => /Appliance available from|System Uptime/i.test(k));
  const s = systemStatus.toLowerCase();
  const gauge = (re: RegExp) => {
    const key = Object.keys(gauges).find((k) => re.test(k));
    return key === undefined ? null : gauges[key]!;
  };
  const oldest = header.get('Oldest Message') ?? header.get('Oldest message') ?? null;
  return {
    ok: true,
    facts: {
      variant: sma ? 'sma' : 'esa',
      systemStatus,
      online: s === 'online',
      receivingSuspended: /receiving(?: and delivery)? suspended|^suspended|receiving suspended/.test(s),
      deliverySuspended: /delivery suspended/.test(s),
      statusAsOf: header.get('Status as of') ?? null,
      upSince: header.get('Up since') ?? header.get('Appliance available from') ?? null,
      oldestMessage: oldest === null || /^no messages$/i.test(oldest) ? null : oldest,
      counters,
      gauges,
      activeRecipients: gauge(/^Active Recipients$/i),
      workQueue: gauge(/^Messages In Work Queue$/i),
      // `Kilobytes In Quarantine` has the same two-line shape: only the messages gauge counts.
      pvoQuarantineMessages:
        gauge(/^Messages In Quarantine: Policy, Virus,? and Outbreak$/i) ??
        gauge(/^Policy, Virus,? and Outbreak$/i),
      services,
    },
  };
}
