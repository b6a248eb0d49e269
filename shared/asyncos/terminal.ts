/**
 * Terminal text clean-up for what a PTY shell sends: escape codes, CRLF, backspaces, pager lines.
 * Pure functions: the session feeds raw chunks in, the parsers get plain `\n` text.
 */

/** The pager line AsyncOS prints on long output (matched case-insensitively, dashes optional). */
export const PAGER = /-?\s*Press Any Key For More\s*-?/i;

// CSI sequences (colours, cursor moves), OSC titles, and two-byte ESC sequences.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x1b[()][A-Za-z0-9]/g;

/** Removes terminal escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Plain text from terminal output: escape codes removed, CRLF and lone CR turned into `\n`
 * (a bare CR followed by text is how a pager line gets overwritten), backspaces applied,
 * other control characters (bell, NUL) dropped.
 */
export function cleanTerminalText(text: string): string {
  let out = stripAnsi(text).replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
  // Apply backspaces: "abc\b \b" is how a pager erases its prompt.
  while (/[^\n\b]\x08/.test(out)) out = out.replace(/[^\n\b]\x08/g, '');
  return out.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

/** Removes pager prompts: a line holding only the pager goes, a pager inside a line is cut out. */
export function removePagerLines(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!PAGER.test(line)) {
      out.push(line);
      continue;
    }
    const rest = line.replace(PAGER, '').trimEnd();
    if (rest.trim() !== '') out.push(rest);
  }
  return out.join('\n');
}

/** Normalises saved output (CRLF, escapes, pager lines) the way the session does for live output. */
export function normaliseOutput(raw: string): string {
  return removePagerLines(cleanTerminalText(raw));
}

/**
 * Incremental terminal decoder for a live shell: cleans each chunk as it arrives, holding back an
 * escape sequence or CR split across chunks, and applies backspaces to the text already decoded.
 */
export class TerminalDecoder {
  private pending = '';
  private out = '';

  /** Adds a chunk; returns the whole decoded text so far. */
  push(chunk: string): string {
    let data = this.pending + chunk;
    this.pending = '';
    // Hold back an unterminated escape sequence or a trailing CR (it may be the first half of CRLF).
    const esc = data.lastIndexOf('\x1b');
    // A tail from the last ESC that stripAnsi leaves untouched is an incomplete sequence.
    if (esc !== -1 && esc >= data.length - 32 && stripAnsi(data.slice(esc)) === data.slice(esc)) {
      this.pending = data.slice(esc);
      data = data.slice(0, esc);
    } else if (data.endsWith('\r')) {
      this.pending = '\r';
      data = data.slice(0, -1);
    }
    const text = stripAnsi(data).replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
    if (!/[\x00-\x08\x0b-\x1f\x7f]/.test(text)) {
      this.out += text;
      return this.out;
    }
    for (const ch of text) {
      if (ch === '\b') {
        if (this.out.length > 0 && !this.out.endsWith('\n')) this.out = this.out.slice(0, -1);
      } else if (ch === '\n' || ch === '\t' || ch >= ' ') {
        if (ch !== '\x7f') this.out += ch;
      }
    }
    return this.out;
  }

  /** The decoded text so far. */
  get text(): string {
    return this.out;
  }

  /** Starts over (a new command). */
  reset(): void {
    this.pending = '';
    this.out = '';
  }
}
