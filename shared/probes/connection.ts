/**
 * One SMTP conversation over a socket (plain or TLS): send a command, await one reply, with a
 * deadline per wait. Every wait ends with a tagged outcome; nothing here throws.
 */
import type { Socket } from 'node:net';
import { ReplyReader, type ReplyReaderLimits, type SmtpReply } from './smtp-reply';

/** How one wait for a reply ended. */
export type ReadOutcome =
  | { kind: 'reply'; reply: SmtpReply }
  | { kind: 'timeout' }
  | { kind: 'closed' }
  | { kind: 'error'; error: NodeJS.ErrnoException }
  | { kind: 'invalid'; reason: string };

/** Reads SMTP replies from a socket; {@link detach} hands the socket over (e.g. to TLS). */
export class SmtpConnection {
  private readonly reader: ReplyReader;
  private waiter: ((o: ReadOutcome) => void) | null = null;
  private ended: ReadOutcome | null = null;

  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    this.deliver();
  };
  private readonly onEnd = () => this.finish({ kind: 'closed' });
  private readonly onClose = () => this.finish({ kind: 'closed' });
  private readonly onError = (error: Error) =>
    this.finish({ kind: 'error', error: error as NodeJS.ErrnoException });

  constructor(
    readonly socket: Socket,
    limits: ReplyReaderLimits,
  ) {
    this.reader = new ReplyReader(limits);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** Writes one command line (CRLF added). */
  send(line: string): void {
    if (!this.socket.destroyed) this.socket.write(`${line}\r\n`);
  }

  /** Waits for the next reply until `deadline` (a `performance.now()` value). */
  read(deadline: number): Promise<ReadOutcome> {
    const ready = this.take();
    if (ready) return Promise.resolve(ready);
    const wait = Math.max(0, deadline - performance.now());
    return new Promise<ReadOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ kind: 'timeout' });
      }, wait);
      this.waiter = (o) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(o);
      };
    });
  }

  /** True when bytes arrived beyond the last complete reply. */
  get hasUnreadBytes(): boolean {
    return this.reader.buffered > 0;
  }

  /** Stops reading so another layer (TLS) can own the socket. */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    // A late socket error must not become an uncaught exception after we stop listening.
    this.socket.on('error', ignore);
  }

  private take(): ReadOutcome | undefined {
    const event = this.reader.next();
    if (event) return event;
    return this.ended ?? undefined;
  }

  private deliver(): void {
    if (!this.waiter) return;
    const o = this.take();
    if (o) this.waiter(o);
  }

  private finish(o: ReadOutcome): void {
    // The first of end/close/error wins: an error is more precise than the close that follows it.
    if (this.ended === null || (this.ended.kind === 'closed' && o.kind === 'error')) this.ended = o;
    this.deliver();
  }
}

/** Swallows errors of a socket that nobody reads any more. */
export function ignore(): void {}
