/**
 * Terminal text clean-up for what a PTY shell sends: escape codes, CRLF, backspaces, pager lines.
 * Pure functions: the session feeds raw chunks in, the parsers get plain `\n` text.
 */

/**
 * The pager text AsyncOS prints on long output (matched case-insensitively). Deliberately without
 * the surrounding `-?\s*`: an unanchored leading `\s*` backtracks quadratically over a long run of
 * blanks, which a peer controls; the dashes and blanks around it are trimmed by hand.
 */
export const PAGER = /Press Any Key For More/i;

/**
 * The pager as a whole line (after escape removal): only this is answered with a key. A line that
 * merely contains the words (`... -Press Any Key For More- [Y]> `) is a question, not the pager.
 * Anchored at the start, so it stays linear; callers bound the line's length.
 */
export const PAGER_LINE = /^-?\s*Press Any Key For More\s*-?$/i;

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
  const out = stripAnsi(text).replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
  // Apply backspaces: "abc\b \b" is how a pager erases its prompt. One pass with a stack (a
  // backspace erases the character before it, never a line break; one that erases nothing stays
  // and is dropped below): a loop of replacements took quadratic time on nested backspaces.
  const kept: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const ch = out[i]!;
    const top = kept[kept.length - 1];
    if (ch === '\b' && top !== undefined && top !== '\n' && top !== '\b') kept.pop();
    else kept.push(ch);
  }
  return kept.join('').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

/** Removes pager prompts: a line holding only the pager goes, a pager inside a line is cut out. */
export function removePagerLines(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!PAGER.test(line)) {
      out.push(line);
      continue;
    }
    const rest = withoutPager(line).trimEnd();
    if (rest.trim() !== '') out.push(rest);
  }
  return out.join('\n');
}

/** The line with its pager text cut out, with the dash and blanks on either side of it. */
function withoutPager(line: string): string {
  const m = PAGER.exec(line);
  if (m === null) return line;
  let before = line.slice(0, m.index).trimEnd();
  if (before.endsWith('-')) before = before.slice(0, -1);
  // Anchored at the start: linear however long the rest is.
  const after = line.slice(m.index + m[0].length).replace(/^\s*-?/, '');
  return before + after;
}

/** Normalises saved output (CRLF, escapes, pager lines) the way the session does for live output. */
export function normaliseOutput(raw: string): string {
  return removePagerLines(cleanTerminalText(raw));
}

/**
 * Incremental terminal decoder for a live shell: cleans each chunk as it arrives, holding back an
 * escape sequence or CR split across chunks, and applies backspaces to the text already decoded.
 * The text is kept as finished lines plus the line in progress: a backspace only ever edits the
 * latter, and a chunk costs time in proportion to its own size (a peer sending a long line and then
 * backspaces one by one cannot make every chunk copy everything received so far).
 */
export class TerminalDecoder {
  private pending = '';
  /** CRs at the end of the last chunk, not yet known to be half of a CRLF. */
  private pendingCrs = 0;
  /** Everything up to and including the last newline. */
  private head = '';
  /** The line in progress (no newline). */
  private line = '';

  /** Adds a chunk; returns the whole decoded text so far. */
  push(chunk: string): string {
    let data = this.pending + chunk;
    this.pending = '';
    if (this.pendingCrs > 0) {
      // A run of CRs held back: followed by LF it is one line break, otherwise one per CR.
      let j = 0;
      while (j < data.length && data[j] === '\r') j++;
      if (j === data.length) {
        this.pendingCrs += j;
        return this.text;
      }
      const run = this.pendingCrs + j;
      this.pendingCrs = 0;
      data = data.slice(j);
      if (data[0] !== '\n') this.append('\n'.repeat(run));
    }
    // Hold back an unterminated escape sequence or a trailing CR (it may be the first half of CRLF).
    const esc = data.lastIndexOf('\x1b');
    // A tail from the last ESC that stripAnsi leaves untouched is an incomplete sequence.
    if (esc !== -1 && esc >= data.length - 32 && stripAnsi(data.slice(esc)) === data.slice(esc)) {
      this.pending = data.slice(esc);
      data = data.slice(0, esc);
    } else if (data.endsWith('\r')) {
      // The whole run of CRs, counted: "\r\r\n" split after any of them is still one line break.
      let k = data.length;
      while (k > 0 && data[k - 1] === '\r') k--;
      this.pendingCrs = data.length - k;
      data = data.slice(0, k);
    }
    const text = stripAnsi(data).replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
    if (!/[\x00-\x08\x0b-\x1f\x7f]/.test(text)) {
      this.append(text);
      return this.text;
    }
    // Backspaces and dropped control characters: edit this chunk's lines as arrays, and the line in
    // progress at most once.
    const pieces = text.split('\n');
    pieces.forEach((piece, index) => {
      const chars: string[] = [];
      let eraseBefore = 0;
      for (const ch of piece) {
        if (ch === '\b') {
          if (chars.length > 0) chars.pop();
          else if (index === 0) eraseBefore++;
        } else if (ch === '\t' || (ch >= ' ' && ch !== '\x7f')) {
          chars.push(ch);
        }
      }
      if (index > 0) this.newline();
      if (eraseBefore > 0) this.line = this.line.slice(0, Math.max(0, this.line.length - eraseBefore));
      this.line += chars.join('');
    });
    return this.text;
  }

  private append(text: string): void {
    const nl = text.lastIndexOf('\n');
    if (nl === -1) {
      this.line += text;
      return;
    }
    this.head += this.line + text.slice(0, nl + 1);
    this.line = text.slice(nl + 1);
  }

  private newline(): void {
    this.head += `${this.line}\n`;
    this.line = '';
  }

  /** The decoded text so far. */
  get text(): string {
    return this.head + this.line;
  }

  /** The line in progress: what a prompt, a menu or the pager would be. */
  get currentLine(): string {
    return this.line;
  }

  /** Length of the decoded text so far. */
  get length(): number {
    return this.head.length + this.line.length;
  }

  /** Starts over (a new command). */
  reset(): void {
    this.pending = '';
    this.pendingCrs = 0;
    this.head = '';
    this.line = '';
  }
}
