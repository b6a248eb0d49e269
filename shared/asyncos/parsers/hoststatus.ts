/**
 * `hoststatus HOST`: `Host mail status for: 'HOST'`, then labelled values and counters.
 * (It does not work for the CPQ queues themselves; tophosts does: docs/domain.md#the-cpq-queues.)
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
    const row = tableRow(line);
    if (row && parseCount(row.value) !== null && !(row.label in facts))
      facts[row.label] = String(parseCount(row.value));
  }
  return { ok: true, facts };
}

/**
 * `label  n [n ...]`: the shortest label followed by two or more blanks and numbers only, and its
 * first number. Token by token rather than one lazy pattern, which backtracks quadratically over
 * a long row of numbers.
 */
function tableRow(line: string): { label: string; value: string } | null {
  const tokens = [...line.matchAll(/\S+/g)].map((m) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
  let first = tokens.length;
  while (first > 0 && /^[\d,]+$/.test(tokens[first - 1]!.text)) first--;
  for (let j = Math.max(first, 1); j < tokens.length; j++) {
    const before = tokens[j - 1]!;
    if (tokens[j]!.start - before.end >= 2) {
      return { label: line.slice(tokens[0]!.start, before.end), value: tokens[j]!.text };
    }
  }
  return null;
}
