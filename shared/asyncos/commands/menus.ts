/**
 * The questions the reader answers, each recognised by its exact text and tied to the commands
 * that ask it (docs/ssh.md, "Menus and questions"). A question that is not one of these, for the
 * command just typed, ends the session with nothing typed: a read-only monitor never takes a
 * default it has not read, and an empty line at `[Y]> ` means yes.
 */
import { PAGER_LINE } from '../terminal';

/** A menu or question a command is known to print, and the one answer the reader gives it. */
export interface KnownMenu {
  /** The lines printed right before the option lines (or the prompt), exactly, top first. */
  readonly before: readonly string[];
  /**
   * The shape of every option line between `before` and the prompt, for a menu whose list of
   * operations varies by release (at least one must be present); absent: no option lines.
   */
  readonly options?: RegExp;
  /** The prompt line exactly, as the terminal leaves it (one trailing space). */
  readonly prompt: string;
  /** What the reader types: a choice that only reads, or an empty line at a menu with no default. */
  readonly answer: string;
}

/**
 * The operation menu of `sslconfig`, `listenerconfig` and `interfaceconfig`: an empty line at
 * `[]> ` (no default to take) leaves it without choosing anything.
 */
export const OPERATION_MENU: KnownMenu = {
  before: ['Choose the operation you want to perform:'],
  options: /^- [A-Z0-9_]+ - \S.*$/,
  prompt: '[]> ',
  answer: '',
};

const MASK_OPTION =
  '1. Mask passphrases (Files with masked passphrases cannot be loaded using loadconfig command)';

/** `showconfig`'s passphrase question, in the layouts of the releases that ask it; the answer masks. */
export const SHOWCONFIG_MENUS: readonly KnownMenu[] = [
  {
    before: ['Choose the passphrase option:', MASK_OPTION, '2. Encrypt passphrases'],
    prompt: '[1]> ',
    answer: '1',
  },
  {
    before: ['Choose the passphrase option:', MASK_OPTION, '2. Encrypt passphrases', '3. Plain passphrases'],
    prompt: '[1]> ',
    answer: '1',
  },
  {
    // The SMA: one line whose default (Y) masks; the answer is typed, never taken by an empty line.
    before: [],
    prompt:
      'Do you want to mask the password? Files with masked passwords cannot be loaded using loadconfig command. [Y]> ',
    answer: 'Y',
  },
  {
    // Older releases: one line, answered with an explicit N (the default is never taken).
    before: [],
    prompt:
      'Do you want to include passwords? Please be aware that a configuration without passwords will fail when reloaded with loadconfig. [N]> ',
    answer: 'N',
  },
];

/**
 * The known menu the screen shows, if any: `screen` is the lines before the prompt line (the
 * output so far), `prompt` the prompt line itself. Every other line must be exactly as expected;
 * blank lines and the pager's own lines are layout (a page may break inside a menu) and are
 * passed over.
 */
export function matchMenu(
  menus: readonly KnownMenu[],
  screen: readonly string[],
  prompt: string,
): KnownMenu | null {
  const lines = screen.filter((l) => l.trim() !== '' && !PAGER_LINE.test(l.trim()));
  for (const menu of menus) {
    let end = promptStart(menu, lines, prompt);
    if (end === null) continue;
    if (menu.options !== undefined) {
      const start = end;
      while (end > 0 && menu.options.test(lines[end - 1]!.trimEnd())) end--;
      if (end === start) continue;
    }
    if (end < menu.before.length) continue;
    const block = lines.slice(end - menu.before.length, end).map((l) => l.trimEnd());
    if (block.every((l, i) => l === menu.before[i])) return menu;
  }
  return null;
}

/** Most screen lines a wrapped prompt may start on above the prompt line. */
const MAX_WRAPPED_LINES = 2;

/**
 * Where the menu's prompt starts: `lines.length` when the prompt line is the prompt exactly, or
 * the index of the line it began on when the terminal wrapped it (cut at the column, or broken at
 * a blank); null when this is not the menu's prompt.
 */
function promptStart(menu: KnownMenu, lines: readonly string[], prompt: string): number | null {
  if (prompt === menu.prompt) return lines.length;
  if (prompt.trim() === '' || !menu.prompt.endsWith(prompt)) return null;
  for (let k = 1; k <= MAX_WRAPPED_LINES && k <= lines.length; k++) {
    const head = lines.slice(lines.length - k);
    const cut = head.join('') + prompt;
    const broken = `${head.map((l) => l.trim()).join(' ')} ${prompt}`;
    if (cut === menu.prompt || broken === menu.prompt) return lines.length - k;
  }
  return null;
}
