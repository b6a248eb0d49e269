/** Helpers shared by the output parsers: line splitting, numbers, outcomes. */
import { normaliseOutput } from '../terminal';

/** What a parser returns: the facts, or why the text made no sense (the caller keeps the raw text). */
export type ParseOutcome<T> = { ok: true; facts: T } | { ok: false; reason: string };

/** Options some parsers take (queue names are configurable per inventory). */
export interface ParseOptions {
  cpqQueueName?: string;
  releaseQueueName?: string;
}

/** Lines of saved or live output: CRLF, escapes and pager prompts removed, trailing spaces trimmed. */
export function outputLines(raw: string): string[] {
  return normaliseOutput(raw)
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
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
