/** Helpers shared by the output parsers: line splitting, numbers, outcomes. */
import { normaliseOutput } from '../terminal';

/**
 * What a parser returns: the facts, or why the text made no sense (the caller keeps the raw text).
 * `warning` says what part of the text was left out of the facts (rows that did not parse): the
 * read of that command is then a warning, but the rows that parsed are kept.
 */
export type ParseOutcome<T> = { ok: true; facts: T; warning?: string } | { ok: false; reason: string };

/** Most unparsed rows quoted in a warning (the facts keep them all). */
const ROWS_QUOTED = 3;

/**
 * The outcome of a tabular parser: the facts with the rows that parsed, and, when some did not,
 * a warning naming them. One row in an unknown layout never hides the others.
 */
export function tabular<T extends { unparsedRows: string[] }>(facts: T, what: string): ParseOutcome<T> {
  const rows = facts.unparsedRows;
  if (rows.length === 0) return { ok: true, facts };
  const quoted = rows
    .slice(0, ROWS_QUOTED)
    .map((r) => `"${r}"`)
    .join(', ');
  const more = rows.length > ROWS_QUOTED ? ` and ${rows.length - ROWS_QUOTED} more` : '';
  return {
    ok: true,
    facts,
    warning: `${rows.length} ${what} ${rows.length === 1 ? 'row does' : 'rows do'} not parse and ${rows.length === 1 ? 'is' : 'are'} left out: ${quoted}${more}`,
  };
}

/** Options some parsers take (queue names are configurable per inventory). */
export interface ParseOptions {
  cpqQueueName?: string;
  releaseQueueName?: string;
}

/** Longest run of blanks kept: wider than any column gap or indentation AsyncOS prints. */
export const MAX_BLANK_RUN = 64;

/**
 * Lines of saved or live output: CRLF, escapes and pager prompts removed, trailing spaces trimmed,
 * runs of blanks longer than MAX_BLANK_RUN shortened to it. The parsers' line patterns pair a lazy
 * label with `\s+`/`\s{2,}`; over a peer's run of thousands of blanks they backtrack
 * quadratically, and a bounded run keeps every one of them linear in the line.
 */
export function outputLines(raw: string): string[] {
  return normaliseOutput(raw)
    .replace(/[^\S\n]{65,}/g, ' '.repeat(MAX_BLANK_RUN))
    .split('\n')
    .map((l) => l.trimEnd());
}

/** `7,055` → 7055; `-`, empty or anything non-numeric → null. */
export function parseCount(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim().replace(/[,\u00a0']/g, '');
  if (!/^-?\d+(?:\.\d+)?$/.test(t)) return null;
  return Number(t);
}

/** The CLI's own error lines, reported as they are instead of "nothing found". */
export function cliError(lines: string[]): string | null {
  const line = lines.find((l) =>
    /^\s*(?:Unknown command|Unknown option|Invalid (?:command|argument)|Error:|Command not found|Missing feature key|This command is restricted|Couldn't obtain)/i.test(
      l,
    ),
  );
  return line === undefined ? null : line.trim();
}

/** A failed outcome. */
export function unparsable<T>(reason: string): ParseOutcome<T> {
  return { ok: false, reason };
}

/**
 * A numbered listing entry that the terminal may have wrapped: joins the following lines to line
 * `i` until the entry matches, a blank line or the next entry starts. Returns the entry's match,
 * or null with the joined text added to `broken`, and the index of the last line used.
 */
export function listingEntry(
  lines: readonly string[],
  i: number,
  pattern: { start: RegExp; entry: RegExp },
  broken: string[],
): { match: RegExpExecArray | null; last: number } {
  let line = lines[i]!;
  let last = i;
  while (
    !pattern.entry.test(line) &&
    last + 1 < lines.length &&
    lines[last + 1]!.trim() !== '' &&
    !pattern.start.test(lines[last + 1]!)
  ) {
    line = `${line} ${lines[++last]!.trim()}`;
  }
  const match = pattern.entry.exec(line);
  if (match === null) broken.push(line.trim());
  return { match, last };
}
