/**
 * An open PTY shell on the AsyncOS CLI, after login: types one allow-listed command line at a
 * time and collects its output up to the next prompt, paging through `-Press Any Key For More-`
 * and answering only the menus the command is known to print, each recognised by its exact text
 * (./commands/menus.ts); any other question ends the wait with nothing typed.
 */
import type { Client, ClientChannel } from 'ssh2';
import { CpqMonitorError } from '../errors';
import { commandTyping, isAllowedAnswer, isAllowedCommandLine } from './allowlist';
import { type KnownMenu, matchMenu } from './commands';
import { classifyTail, lastLine, MAX_PROMPT_CHARS, type PromptState } from './prompt';
import { removePagerLines, TerminalDecoder } from './terminal';

/** How one command ended. `output` is the cleaned text between the echoed command and the prompt. */
export type RunOutcome =
  | { state: 'done'; output: string }
  | { state: 'timeout'; output: string }
  | { state: 'overflow'; output: string }
  | { state: 'closed'; output: string }
  /** A question or prompt the command is not known to print; `question` is its text, nothing was typed. */
  | { state: 'unexpected_prompt'; output: string; question: string }
  | { state: 'menu_loop'; output: string };

export interface RunOptions {
  timeoutMs: number;
  maxBytes: number;
}

/** Most menus a single command may walk through before it is judged stuck in a loop. */
const MAX_MENU_ANSWERS = 6;
/** Most pages a single command may page through (a cap on top of the byte cap). */
const MAX_PAGES = 10_000;
/** Lines of text kept above an unexpected question as its evidence. */
const QUESTION_CONTEXT_LINES = 6;

/** An open PTY shell on the AsyncOS CLI. One command at a time. */
export class ShellSession {
  private readonly decoder = new TerminalDecoder();
  private prompt: string | undefined;
  private closed = false;
  /** Every line typed into the shell, for the caller's audit. */
  readonly typed: string[] = [];
  private onData: ((bytes: number) => void) | null = null;
  private onClose: (() => void) | null = null;

  constructor(
    private readonly client: Client,
    private readonly stream: ClientChannel,
    private readonly quietMs: number,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.decoder.push(chunk);
      this.onData?.(Buffer.byteLength(chunk));
    });
    stream.stderr.on('data', () => {});
    stream.on('close', () => {
      this.closed = true;
      this.onClose?.();
    });
    client.on('close', () => {
      this.closed = true;
      this.onClose?.();
    });
  }

  /** The CLI prompt learned at login (e.g. `mail1.example.com> `). */
  get cliPrompt(): string | undefined {
    return this.prompt;
  }

  /** Waits for the first CLI prompt; the banner (everything before it) is the output. */
  waitForPrompt(timeoutMs: number): Promise<RunOutcome> {
    return this.collect({ timeoutMs, maxBytes: 1024 * 1024 }, null).then((r) => {
      if (r.state === 'done') this.prompt = lastLine(this.decoder.text);
      return r;
    });
  }

  /** Types one allow-listed command line and collects its output up to the next prompt. */
  run(line: string, opts: RunOptions): Promise<RunOutcome> {
    const command = commandTyping(line);
    if (command === undefined) {
      return Promise.reject(
        new CpqMonitorError(
          'command_refused',
          `refused to type ${JSON.stringify(line.slice(0, 200))}: not an allow-listed command line`,
        ),
      );
    }
    return this.collect(opts, line, command.menus ?? []);
  }

  private type(text: string): boolean {
    // The last guard of the read-only guarantee: nothing outside the allow-list ever leaves, whoever
    // the caller is (a command line checked by the reader, or an answer chosen from the output).
    if (!isAllowedAnswer(text) && !isAllowedCommandLine(text)) return false;
    this.typed.push(text);
    this.stream.write(`${text}\n`);
    return true;
  }

  /** The question on screen: the prompt line and a few lines above it, for evidence. */
  private question(prompt: string): string {
    const above = this.linesAbovePrompt()
      .filter((l) => l.trim() !== '')
      .slice(-QUESTION_CONTEXT_LINES);
    return [...above, prompt].join('\n').trim();
  }

  /** The decoded lines before the line in progress (the prompt). */
  private linesAbovePrompt(): string[] {
    const text = this.decoder.text;
    const lines = text.slice(0, text.length - this.decoder.currentLine.length).split('\n');
    lines.pop(); // the empty piece after the last newline
    return lines;
  }

  private collect(
    opts: RunOptions,
    line: string | null,
    known: readonly KnownMenu[] = [],
  ): Promise<RunOutcome> {
    this.decoder.reset();
    if (this.closed) return Promise.resolve({ state: 'closed', output: '' });
    return new Promise<RunOutcome>((resolve) => {
      let bytes = 0;
      let answeredAt = -1;
      let menus = 0;
      let pages = 0;
      let quiet: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => end('timeout'), Math.max(1, opts.timeoutMs));
      const end = (state: RunOutcome['state'], question?: string) => {
        clearTimeout(timer);
        clearTimeout(quiet);
        this.onData = null;
        this.onClose = null;
        const output = this.output(line, state === 'done');
        if (state === 'unexpected_prompt') resolve({ state, output, question: question ?? '' });
        else resolve({ state, output } as RunOutcome);
      };
      const examine = () => {
        const length = this.decoder.length;
        if (length === answeredAt) return;
        const tail = this.tail();
        if (tail.kind !== 'unknown_prompt') clearTimeout(quiet);
        switch (tail.kind) {
          case 'cli':
            // The echoed command line can itself look like "host> status"; only a bare prompt counts.
            end('done');
            return;
          case 'pager':
            if (++pages > MAX_PAGES) return end('overflow');
            answeredAt = length;
            this.type('');
            return;
          case 'menu': {
            // Only a menu this command is known to print, recognised by its exact text, gets an
            // answer; anything else (`Really commit and reboot? [Y]> `, a relabelled option) ends
            // the session before a key is typed: an empty line would take whatever default it has.
            const menu = matchMenu(known, this.linesAbovePrompt(), tail.prompt);
            if (menu === null || !isAllowedAnswer(menu.answer))
              return end('unexpected_prompt', this.question(tail.prompt));
            if (++menus > MAX_MENU_ANSWERS) return end('menu_loop');
            answeredAt = length;
            this.type(menu.answer);
            return;
          }
          case 'unknown_prompt':
            // Wait for quiet: slow output can pause on a line that only looks like a prompt.
            clearTimeout(quiet);
            quiet = setTimeout(() => {
              const now = this.tail();
              if (now.kind === 'unknown_prompt') end('unexpected_prompt', this.question(now.prompt));
            }, this.quietMs);
            return;
          case 'none':
            return;
        }
      };
      this.onData = (n) => {
        bytes += n;
        if (bytes > opts.maxBytes) return end('overflow');
        examine();
      };
      this.onClose = () => end('closed');
      if (line !== null) this.type(line);
      else examine();
    });
  }

  /**
   * What the shell waits for, judged from the line in progress only: a line longer than any prompt
   * is output still arriving, and is not scanned (each chunk costs its own size, never the total).
   */
  private tail(): PromptState {
    const line = this.decoder.currentLine;
    if (line.length > MAX_PROMPT_CHARS) return { kind: 'none' };
    return classifyTail(line, this.prompt);
  }

  /** Output of the current command: without its echo, its closing prompt and pager lines. */
  private output(line: string | null, done: boolean): string {
    let text = this.decoder.text;
    if (done) text = text.slice(0, text.length - lastLine(text).length);
    if (line !== null) {
      const nl = text.indexOf('\n');
      const first = nl === -1 ? text : text.slice(0, nl);
      if (first.trimEnd().endsWith(line)) text = nl === -1 ? '' : text.slice(nl + 1);
    }
    return removePagerLines(text);
  }

  /**
   * Ends the wait in progress (as `closed`) and the connection at once, typing nothing: the
   * caller was interrupted and will not wait for the appliance.
   */
  interrupt(): void {
    const pending = this.onClose;
    this.close();
    this.client.destroy();
    pending?.();
  }

  /** Closes the shell and the connection without typing anything (no `exit` is sent). */
  close(): void {
    this.closed = true;
    this.onData = null;
    try {
      this.stream.close();
    } catch {
      // Already closed.
    }
    this.client.end();
    // A server that ignores the close still gets its socket destroyed.
    setImmediate(() => this.client.destroy());
  }
}
