/** `version`: `Key: value` lines (Product, Model, Version, Build Date, Serial #...). */
import { cliError, outputLines, type ParseOutcome, unparsable } from './common';

/** Parses `version` output into its labelled values. */
export function parseVersion(raw: string): ParseOutcome<Record<string, string>> {
  const lines = outputLines(raw);
  const facts: Record<string, string> = {};
  for (const line of lines) {
    const m = /^\s*([A-Za-z][A-Za-z0-9 #./()-]{0,40}?)\s*:\s+(\S.*)$/.exec(line);
    if (m && !(m[1]! in facts)) facts[m[1]!] = m[2]!.trim();
  }
  if (facts.Version === undefined)
    return unparsable(cliError(lines) ?? 'no "Version:" line in the version output');
  return { ok: true, facts };
}
