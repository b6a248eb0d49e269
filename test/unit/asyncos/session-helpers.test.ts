import { createHash } from 'node:crypto';
import { commandLine, isAllowedAnswer, isAllowedCommandLine } from '../../../shared/asyncos/allowlist';
import { COMMANDS, commandNamed, matchMenu } from '../../../shared/asyncos/commands';
import { OPERATION_MENU } from '../../../shared/asyncos/commands/menus';
import {
  fingerprintFromHex,
  fingerprintOfKeyBlob,
  isFingerprint,
  isPinned,
} from '../../../shared/asyncos/fingerprint';
import { classifyTail } from '../../../shared/asyncos/prompt';
import {
  cleanTerminalText,
  normaliseOutput,
  removePagerLines,
  TerminalDecoder,
} from '../../../shared/asyncos/terminal';

describe('fingerprints', () => {
  it('turns ssh2 hex digests into OpenSSH SHA256: form (unpadded base64)', () => {
    const blob = Buffer.from('an ssh key blob');
    const hex = createHash('sha256').update(blob).digest('hex');
    const fp = fingerprintFromHex(hex);
    expect(fp).toBe(`SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`);
    expect(fp).toHaveLength(50);
    expect(isFingerprint(fp)).toBe(true);
    expect(fingerprintOfKeyBlob(blob)).toBe(fp);
    expect(isPinned(fp, ['SHA256:other', ` ${fp} `])).toBe(true);
    expect(isPinned(fp, [fp.toLowerCase()])).toBe(false);
    expect(isFingerprint('MD5:aa:bb')).toBe(false);
  });
});

describe('allow-list', () => {
  it.each([
    [{ name: 'status' }, 'status'],
    [{ name: 'status detail' }, 'status detail'],
    [{ name: 'tophosts' }, 'tophosts active_rcpts'],
    [{ name: 'tophosts', arg: '3' }, 'tophosts 3'],
    [{ name: 'hoststatus', arg: 'mail.example.com' }, 'hoststatus mail.example.com'],
    [{ name: 'grep', arg: 'CPQ ICID' }, 'grep -e "CPQ ICID" mail_logs'],
  ] as const)('sends %j as %s', (req, line) => {
    expect(commandLine(req)).toEqual({ allowed: true, line });
    expect(isAllowedCommandLine(line)).toBe(true);
  });

  it.each([
    [{ name: 'suspend' }, /not an allow-listed command/],
    [{ name: 'status', arg: 'detail; commit' }, /takes no argument/],
    [{ name: 'tophosts', arg: '9' }, /sort/],
    [{ name: 'hoststatus', arg: 'a.example.com; resume' }, /host name/],
    [
      { name: 'grep', arg: 'x" mail_logs\ncommit' },
      /refuses """ \(character 2\): a quote would end the quoted pattern/,
    ],
    [{ name: 'grep', arg: 'x'.repeat(129) }, /129 characters long; at most 128/],
    [{ name: 'grep', arg: 'CPQ', log: '../etc/passwd' }, /may read only/],
  ])('refuses %j', (req, reason) => {
    const d = commandLine(req as never);
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reason).toMatch(reason);
  });

  it('knows which answers may be typed', () => {
    // Y only for the SMA's mask question (which menu gets which answer is matchMenu's job).
    expect(['', 'N', '1', 'Y'].every(isAllowedAnswer)).toBe(true);
    expect(['y', 'yes', '2', 'OUTBOUND', '10', 'commit'].some(isAllowedAnswer)).toBe(false);
    expect(isAllowedCommandLine('suspendlistener')).toBe(false);
    expect(isAllowedCommandLine('tail mail_logs')).toBe(false);
  });
});

describe('terminal text', () => {
  it('strips escape codes, CRLF, backspaces and pager lines', () => {
    expect(cleanTerminalText('\x1b[1mbold\x1b[0m\r\nnext\rover')).toBe('bold\nnext\nover');
    expect(cleanTerminalText('abc\b\bX')).toBe('aX');
    expect(normaliseOutput('one\r\n-Press Any Key For More-\r    \rtwo\r\n')).toBe('one\n    \ntwo\n');
  });

  it('decodes chunk by chunk with a split escape sequence and a split CRLF', () => {
    const d = new TerminalDecoder();
    d.push('hello\r');
    d.push('\nwor\x1b[');
    expect(d.push('0mld\x08D')).toBe('hello\nworlD');
  });
});

// Each of these was quadratic once; `npm run bench -- parsers` prints how their time grows. Here:
// the results on the long runs that used to be slow.
describe('terminal helpers on hostile output', () => {
  it('classifies and strips pager lines on long runs of blanks and brackets', () => {
    const blanks = ' '.repeat(100_000);
    expect(classifyTail(`${blanks}x`)).toEqual(classifyTail('x'));
    expect(classifyTail('['.repeat(100_000))).toEqual(classifyTail('[['));
    // The pager text goes; the line keeps what was before and after it (compared by length and
    // content: a failed comparison of 100,000 blanks takes jest's diff half a minute to print).
    const stripped = removePagerLines(`${blanks}x\n${blanks}-Press Any Key For More- x`).split('\n');
    expect(stripped.map((l) => [l.length, l.trim()])).toEqual([
      [100_001, 'x'],
      [100_002, 'x'],
    ]);
    expect(removePagerLines('one\n-Press Any Key For More-\n  abc -  press any key for more -- def')).toBe(
      'one\n  abc - def',
    );
  });

  it('applies a stream of backspaces after a long line', () => {
    const d = new TerminalDecoder();
    d.push('a'.repeat(1_000_000));
    d.push('xy\b'.repeat(20_000));
    expect(d.text).toBe(`${'a'.repeat(1_000_000)}${'x'.repeat(20_000)}`);
    expect(d.currentLine.length).toBe(1_020_000);
  });

  it('applies nested backspaces of saved output', () => {
    expect(cleanTerminalText(`keep\n${'a'.repeat(60_000)}${'\b'.repeat(60_000)}x`)).toBe('keep\nx');
    expect(cleanTerminalText('\n\bx\b\by\x07\bz')).toBe('\nyz');
  });

  it('holds back a long run of CRs chunk after chunk', () => {
    const d = new TerminalDecoder();
    d.push('a');
    for (let i = 0; i < 20_000; i++) d.push('\r'.repeat(50));
    d.push('\nb');
    expect(d.text).toBe('a\nb');
  });

  it('decodes any chunking the same as the whole text at once', () => {
    // Reference: the character-by-character rules applied to the whole text.
    const reference = (text: string) => {
      let out = '';
      for (const ch of text.replace(/\r+\n/g, '\n').replace(/\r/g, '\n')) {
        if (ch === '\b') {
          if (out.length > 0 && !out.endsWith('\n')) out = out.slice(0, -1);
        } else if (ch === '\n' || ch === '\t' || (ch >= ' ' && ch !== '\x7f')) out += ch;
      }
      return out;
    };
    const alphabet = ['a', 'b', ' ', '\b', '\n', '\r', '\r\n', '\t', '\x07', '\x00', '> '];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const parts = Array.from({ length: 1 + rnd(40) }, () => alphabet[rnd(alphabet.length)]!);
      const text = parts.join('');
      const d = new TerminalDecoder();
      let i = 0;
      while (i < text.length) {
        const n = 1 + rnd(6);
        d.push(text.slice(i, i + n));
        i += n;
      }
      // A trailing CR is held back until the next chunk shows whether it is half of a CRLF.
      d.push('\n');
      expect(d.text).toBe(reference(`${text}\n`));
      expect(d.length).toBe(d.text.length);
    }
  });
});

describe('prompt classification', () => {
  it.each([
    ['output\nmail1.example.com> ', 'cli'],
    ['output\n(mail1.example.com)> ', 'cli'],
    ['output\n(Machine esa1.example.com)> ', 'cli'],
    ['output\n(Cluster Email Cluster)> ', 'cli'],
    ['Choose the operation\n[]> ', 'menu'],
    ['Sort results by:\n[1]> ', 'menu'],
    ['lines\n-Press Any Key For More-', 'pager'],
    ['admin@host:~$ ', 'unknown_prompt'],
    ['a line of output', 'none'],
  ])('%j is %s', (text, kind) => {
    expect(classifyTail(text).kind).toBe(kind);
  });

  it('prefers the prompt learned at login', () => {
    expect(classifyTail('x\nother> ', 'esa1> ').kind).toBe('unknown_prompt');
    expect(classifyTail('x\nesa1> ', 'esa1> ').kind).toBe('cli');
  });

  it('recognises the known menus by their exact text only', () => {
    const show = commandNamed('showconfig')!;
    const showMenus = show.menus ?? [];
    const lines = (t: string) => t.split('\n');
    const real = lines(
      'showconfig\n\nChoose the passphrase option:\n1. Mask passphrases (Files with masked passphrases cannot be loaded using loadconfig command)\n2. Encrypt passphrases',
    );
    expect(matchMenu(showMenus, real, '[1]> ')?.answer).toBe('1');
    // The same text under another prompt, a relabelled option or a shortened line is not the menu.
    expect(matchMenu(showMenus, real, '[2]> ')).toBeNull();
    expect(
      matchMenu(showMenus, lines('Choose:\n1. Encrypt passwords\n2. Mask passwords'), '[1]> '),
    ).toBeNull();
    expect(
      matchMenu(
        showMenus,
        lines('Choose the passphrase option:\n1. Mask passphrases (...)\n2. Encrypt passphrases'),
        '[1]> ',
      ),
    ).toBeNull();
    expect(matchMenu(showMenus, [], 'Really commit and reboot? [Y]> ')).toBeNull();

    const ops = lines(
      'Choose the operation you want to perform:\n- GUI - Edit GUI HTTPS ssl settings.\n- OUTBOUND - Edit Outbound SMTP ssl settings.',
    );
    expect(matchMenu([OPERATION_MENU], ops, '[]> ')?.answer).toBe('');
    expect(matchMenu([OPERATION_MENU], ops, '[Y]> ')).toBeNull();
    expect(
      matchMenu([OPERATION_MENU], lines('Choose the operation you want to perform:'), '[]> '),
    ).toBeNull();
    expect(matchMenu([OPERATION_MENU], [...ops, 'Really commit?'], '[]> ')).toBeNull();
  });

  it('never takes a default: an empty answer only where the prompt offers none', () => {
    for (const command of COMMANDS) {
      for (const menu of command.menus ?? []) {
        if (menu.answer === '') expect(menu.prompt).toBe('[]> ');
        expect(isAllowedAnswer(menu.answer)).toBe(true);
      }
    }
  });
});
