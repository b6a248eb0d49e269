/**
 * SMTP replies off the wire: a byte-capped line reader and the RFC 5321 reply grammar
 * (`250-first`, `250 last`). Pure: it is fed chunks and hands out replies or a reason to stop.
 */
import { clip } from '../text';

/** One complete SMTP reply. */
export interface SmtpReply {
  code: number;
  /** Text of each line after the code and separator. */
  lines: string[];
}

/** One parsed reply line. */
export interface ReplyLine {
  code: number;
  /** False for `250-` continuation lines. */
  final: boolean;
  text: string;
}

/** What the reader has for the caller after a chunk. */
export type ReaderEvent = { kind: 'reply'; reply: SmtpReply } | { kind: 'invalid'; reason: string };

/** Parses one line (without its line ending); null when it is not `ddd`, `ddd text` or `ddd-text`. */
export function parseReplyLine(line: string): ReplyLine | null {
  const m = /^([2-5]\d\d)(?:([ -])(.*))?$/s.exec(line);
  if (!m) return null;
  return { code: Number(m[1]), final: m[2] !== '-', text: m[3] ?? '' };
}

/** EHLO keywords from a 250 reply (every line but the first, which names the server), upper-cased. */
export function parseEhloExtensions(reply: SmtpReply): string[] {
  return reply.lines
    .slice(1)
    .map((l) => l.trim().toUpperCase())
    .filter((l) => l !== '');
}

/** True when the EHLO keywords include STARTTLS. */
export function offersStarttls(extensions: readonly string[]): boolean {
  return extensions.some((e) => e === 'STARTTLS' || e.startsWith('STARTTLS '));
}

/** Untrusted reply text quoted in a failure message: at most `max` characters, control characters escaped. */
export function escapedExcerpt(text: string, max = 80): string {
  return JSON.stringify(clip(text, max)).slice(1, -1);
}

/** Limits of a {@link ReplyReader}. */
export interface ReplyReaderLimits {
  /** Longest line accepted, line ending excluded. */
  maxLineBytes: number;
  /** Most lines in one reply (a guard against endless `250-` continuation). */
  maxReplyLines: number;
  /** Most bytes read over the reader's life. */
  maxTotalBytes: number;
}

export const DEFAULT_READER_LIMITS: ReplyReaderLimits = {
  maxLineBytes: 4096,
  maxReplyLines: 100,
  maxTotalBytes: 64 * 1024,
};

/**
 * Accumulates bytes and yields complete replies. Bytes are decoded as latin1 so one byte is one
 * character and caps count bytes. Once it has reported `invalid` it stays invalid.
 */
export class ReplyReader {
  private partial = '';
  private lines: ReplyLine[] = [];
  private total = 0;
  private readonly queue: ReaderEvent[] = [];
  private failed: string | null = null;

  constructor(private readonly limits: ReplyReaderLimits = DEFAULT_READER_LIMITS) {}

  /** Feeds a chunk; complete replies (or the reason the stream is unusable) become available via {@link next}. */
  push(chunk: Buffer): void {
    if (this.failed !== null) return;
    this.total += chunk.length;
    if (this.total > this.limits.maxTotalBytes) {
      this.fail(`more than ${this.limits.maxTotalBytes} bytes of replies`);
      return;
    }
    let text = this.partial + chunk.toString('latin1');
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const line = text.slice(0, nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl);
      text = text.slice(nl + 1);
      if (!this.acceptLine(line)) return;
      nl = text.indexOf('\n');
    }
    if (text.length > this.limits.maxLineBytes) {
      this.fail(`a reply line longer than ${this.limits.maxLineBytes} bytes`);
      return;
    }
    this.partial = text;
  }

  /** The next reply or failure, if one is complete. */
  next(): ReaderEvent | undefined {
    return this.queue.shift();
  }

  /** Received but not yet taken: partial lines, unfinished or unread replies (must be none before TLS). */
  get buffered(): number {
    return this.partial.length + this.lines.length + this.queue.length;
  }

  private acceptLine(line: string): boolean {
    if (line.length > this.limits.maxLineBytes) {
      this.fail(`a reply line longer than ${this.limits.maxLineBytes} bytes`);
      return false;
    }
    const parsed = parseReplyLine(line);
    if (parsed === null) {
      this.fail(`"${escapedExcerpt(line)}", which is not an SMTP reply line`);
      return false;
    }
    const first = this.lines[0];
    if (first !== undefined && first.code !== parsed.code) {
      this.fail(`a multi-line reply changed its code from ${first.code} to ${parsed.code}`);
      return false;
    }
    this.lines.push(parsed);
    if (this.lines.length > this.limits.maxReplyLines) {
      this.fail(`a reply of more than ${this.limits.maxReplyLines} lines`);
      return false;
    }
    if (parsed.final) {
      this.queue.push({ kind: 'reply', reply: { code: parsed.code, lines: this.lines.map((l) => l.text) } });
      this.lines = [];
    }
    return true;
  }

  private fail(reason: string): void {
    this.failed = reason;
    this.partial = '';
    this.lines = [];
    this.queue.push({ kind: 'invalid', reason });
  }
}
