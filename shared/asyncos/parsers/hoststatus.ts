/**
 * `hoststatus HOST`: `Host mail status for: 'HOST'`, then labelled values and counters.
 * (It does not work for the CPQ queues themselves; DOMAIN.md item 3: tophosts does.)
 */
import { cliError, outputLines, type ParseOutcome, parseCount, unparsable } from './common';

/** Parses `hoststatus` output into labelled values; table rows become `label` → first value. */
export function parseHoststatus(raw: string): ParseOutcome<Record<string, string>> {
  const lines = outputLines(raw);
  const facts: Record<string, string> = {};
  const host = lines.map((l) => /Host mail status for:\s*'?([^']+?)'?\s*$/.exec(l)).find((m) => m !== null);
  if (!host) return unparsable(cliError(lines) ?? 'no "Host mail status for:" line in the hoststatus output');
  facts.Host = host[1]!;
  for (const line of lines) {
    const kv = /^\s*([A-Za-z][^:]{0,50}?):\s+(\S.*)$/.exec(line);
    if (kv) {
      if (!(kv[1]!.trim() in facts)) facts[kv[1]!.trim()] = kv[2]!.trim();
      continue;
    }
    const row = /^\s*(\S.*?)\s{2,}([\d,]+)(?:\s+[\d,]+)*\s*$/.exec(line);
    if (row && parseCount(row[2]) !== null && !(row[1]! in facts))
      facts[row[1]!] = String(parseCount(row[2]));
  }
  return { ok: true, facts };
}
