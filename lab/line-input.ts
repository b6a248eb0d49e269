/**
 * The terminal side of a lab PTY shell: reading typed lines (with echo, backspace and CRLF the way
 * a terminal sends them) and writing text with CRLF line ends.
 */
import type { ServerChannel } from 'ssh2';

/** Writes text with CRLF line ends, honouring back-pressure. */
export function writeCrlf(stream: ServerChannel, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  const ok = stream.write(text.replace(/\r?\n/g, '\r\n'));
  if (ok) return Promise.resolve();
  // Drained, or gone: either way the writer may go on.
  const events = ['drain', 'close'] as const;
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) stream.off(e, done);
      resolve();
    };
    for (const e of events) stream.once(e, done);
  });
}

/** Line input of a PTY shell: echoes what it reads (when a PTY was asked for) and hands each line to `onLine`. */
export class LineInput {
  private buffer = '';
  private lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private ended = false;
  private echoNext = true;
  private lastWasCr = false;

  constructor(
    private readonly stream: ServerChannel,
    private readonly echo: boolean,
    private readonly onLine: (line: string) => void,
  ) {
    stream.on('data', (chunk: Buffer) => this.feed(chunk.toString('utf8')));
    stream.on('close', () => this.finish());
    stream.on('end', () => this.finish());
  }

  private feed(text: string): void {
    for (const ch of text) {
      if (ch === '\n' && this.lastWasCr) {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = ch === '\r';
      if (ch === '\r' || ch === '\n') {
        if (this.echo && this.echoNext) this.stream.write('\r\n');
        this.push(this.buffer);
        this.buffer = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.buffer.length > 0) {
          this.buffer = this.buffer.slice(0, -1);
          if (this.echo && this.echoNext) this.stream.write('\b \b');
        }
      } else if (ch === '\x03') {
        this.buffer = '';
      } else {
        this.buffer += ch;
        if (this.echo && this.echoNext) this.stream.write(ch);
      }
    }
  }

  private push(line: string): void {
    this.onLine(line);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(line);
    } else this.lines.push(line);
  }

  private finish(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
  }

  /** The next line typed, or null once the channel is gone. */
  next(opts: { echo?: boolean } = {}): Promise<string | null> {
    this.echoNext = opts.echo ?? true;
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
