/**
 * What the AsyncOS CLI is waiting for, judged from the last line of cleaned output: its command
 * prompt (`host> `, `(host)> `, `(Machine fqdn)> `, `(Cluster name)> `), a menu (`[]> `,
 * `[default]> `), the pager, or something unrecognised that still looks like a prompt.
 */
import { PAGER_LINE } from './terminal';

/** The CLI's own prompt, in its four shapes; one trailing space. */
export const CLI_PROMPT = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*|\((?:Machine |Cluster )?[^()\n]+\))> $/;
/** A menu or question waiting for an answer; the bracket holds the default (empty for none). */
const MENU_PROMPT = /\[([^\]\n]*)\]> $/;
/** Anything that ends like an interactive prompt (so a stalled shell is not mistaken for slow output). */
const PROMPT_LIKE = /[>#$%:?\]] $/;

export type PromptState =
  | { kind: 'cli'; prompt: string }
  | { kind: 'menu'; prompt: string; defaultAnswer: string }
  | { kind: 'pager' }
  | { kind: 'unknown_prompt'; prompt: string }
  | { kind: 'none' };

/**
 * Longest last line judged as a prompt. Prompts, menus and the pager are short; a longer line is
 * output still arriving. The bound also keeps every regular expression below linear in practice:
 * a hostile peer's megabyte line without a newline is never scanned again and again.
 */
export const MAX_PROMPT_CHARS = 512;

/** The text after the last newline. */
export function lastLine(text: string): string {
  const i = text.lastIndexOf('\n');
  return i === -1 ? text : text.slice(i + 1);
}

/** The last line when it is at most `max` characters long, else null (looks only at the tail). */
function shortLastLine(text: string, max: number): string | null {
  const tail = text.length > max + 1 ? text.slice(text.length - max - 1) : text;
  const i = tail.lastIndexOf('\n');
  if (i === -1) return tail.length === text.length && tail.length <= max ? tail : null;
  return tail.slice(i + 1);
}

/** True when the line is one of the CLI prompt's shapes. */
export function isCliPrompt(line: string): boolean {
  return CLI_PROMPT.test(line);
}

/**
 * Classifies the end of the output. `expectedPrompt` (the prompt seen at login) is preferred:
 * any other CLI-shaped line counts as a CLI prompt only when none is known yet.
 */
export function classifyTail(text: string, expectedPrompt?: string): PromptState {
  const line = shortLastLine(text, MAX_PROMPT_CHARS);
  if (line === null) return { kind: 'none' };
  if (PAGER_LINE.test(line)) return { kind: 'pager' };
  if (expectedPrompt !== undefined ? line === expectedPrompt : isCliPrompt(line)) {
    return { kind: 'cli', prompt: line };
  }
  const menu = MENU_PROMPT.exec(line);
  if (menu) return { kind: 'menu', prompt: line, defaultAnswer: menu[1] ?? '' };
  if (PROMPT_LIKE.test(line)) return { kind: 'unknown_prompt', prompt: line };
  return { kind: 'none' };
}
