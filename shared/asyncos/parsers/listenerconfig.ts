/** `listenerconfig`: the listing `N. Name (on Interface, IP) SMTP TCP Port 25 Public` before its menu. */
import type { ListenerconfigFacts } from '../types';
import { cliError, listingEntry, outputLines, type ParseOutcome, tabular, unparsable } from './common';

const ENTRY =
  /^\s*(\d+)\.\s+(\S+)\s+\(on\s+([^,)]+?)(?:,\s*([^)]+?))?\)\s+(\S+)\s+(\S+)\s+Port\s+(\d+)\s+(\S+)\s*$/i;
const START = /^\s*\d+\.\s+\S+\s+\(on\b/;

/** Parses the listener listing; entries wrapped over two lines are joined. */
export function parseListenerconfig(raw: string): ParseOutcome<ListenerconfigFacts> {
  const lines = outputLines(raw);
  const listeners: ListenerconfigFacts['listeners'] = [];
  const broken: string[] = [];
  let sawListing = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/Currently configured listeners|No listeners (?:are )?configured|There are no listeners/i.test(line))
      sawListing = true;
    if (!START.test(line)) continue;
    sawListing = true;
    const { match: m, last } = listingEntry(lines, i, { start: START, entry: ENTRY }, broken);
    i = last;
    if (m === null) continue;
    listeners.push({
      index: Number(m[1]),
      name: m[2]!,
      interface: m[3]!.trim(),
      ip: m[4]?.trim() ?? null,
      protocol: m[5]!,
      transport: m[6]!,
      port: Number(m[7]),
      type: m[8]!,
    });
  }
  if (!sawListing) return unparsable(cliError(lines) ?? 'no listener listing in the listenerconfig output');
  return tabular({ listeners, unparsedRows: broken }, 'listener');
}
