/**
 * Peer-supplied text (banners, log lines, certificate subjects, host names) made safe to show to
 * a person: in a terminal, an e-mail or a chat message it can neither drive the reader's terminal
 * nor forge lines. One place for the character classes; every printer uses it. Every one-line
 * text comes from `oneLine` and every text shortened with an ellipsis from `clip`.
 */

// Terminal escape sequences: CSI (colours, cursor moves, screen clears), OSC (window titles,
// hyperlinks) up to its terminator or the next ESC, and two-character escapes. Linear: each
// alternative stops at the next ESC.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
// Characters that reorder or hide text in a mail reader or terminal (bidirectional overrides and
// isolates, zero-width characters, BOM): dropped.
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
// C0 (line breaks included), DEL, C1 (CSI U+009B included) and Unicode line separators.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// The same, but keeping line breaks and tabs (multi-line reports).
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
// What JSON.stringify leaves raw although a terminal would act on it.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** One line: escapes and invisible characters removed, every control character a space. */
export function printable(text: string): string {
  return text.replace(ESCAPES, '').replace(INVISIBLE, '').replace(CONTROLS, ' ');
}

/** A multi-line report: like `printable`, but line breaks and tabs are kept. */
export function terminalText(text: string): string {
  return text.replace(ESCAPES, '').replace(INVISIBLE, '').replace(CONTROLS_BUT_LINES, ' ');
}

/** JSON with every character a terminal could act on written as a `\uXXXX` escape: lossless, inert. */
export function inertJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One printable line: `printable`, then every run of blanks one space, trimmed at both ends. */
export function oneLine(text: string): string {
  return printable(text).replace(/\s+/g, ' ').trim();
}

/**
 * At most `max` characters: a longer text is cut and ends in `ellipsis` (`...` unless given), with
 * the blanks before the cut dropped. The one place text is shortened for a reader.
 */
export function clip(text: string, max: number, ellipsis = '...'): string {
  if (text.length <= max) return text;
  // No room for the ellipsis: a bare cut still keeps the bound.
  if (max < ellipsis.length) return text.slice(0, Math.max(0, max));
  return `${text.slice(0, max - ellipsis.length).trimEnd()}${ellipsis}`;
}
