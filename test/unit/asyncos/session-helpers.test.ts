import { createHash } from 'node:crypto';
import { commandLine, isAllowedAnswer, isAllowedCommandLine } from '../../../shared/asyncos/allowlist';
import {
  fingerprintFromHex,
  fingerprintOfKeyBlob,
  isFingerprint,
  isPinned,
} from '../../../shared/asyncos/fingerprint';
import { classifyTail, maskingAnswer } from '../../../shared/asyncos/prompt';
import { cleanTerminalText, normaliseOutput, TerminalDecoder } from '../../../shared/asyncos/terminal';

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
    [{ name: 'grep', arg: 'x" mail_logs\ncommit' }, /without quotes/],
    [{ name: 'grep', arg: 'x'.repeat(129) }, /1-128/],
    [{ name: 'grep', arg: 'CPQ', log: '../etc/passwd' }, /may read only/],
  ])('refuses %j', (req, reason) => {
    const d = commandLine(req as never);
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reason).toMatch(reason);
  });

  it('knows which answers may be typed', () => {
    expect(['', 'N', '1'].every(isAllowedAnswer)).toBe(true);
    expect(['Y', 'OUTBOUND', '10', 'commit'].some(isAllowedAnswer)).toBe(false);
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

  it('finds the masking answer of showconfig in both layouts', () => {
    expect(
      maskingAnswer('Choose the passphrase option:\n1. Mask passphrases (...)\n2. Encrypt passphrases\n'),
    ).toBe('1');
    expect(maskingAnswer('Choose:\n1. Encrypt passwords\n2. Mask passwords\n')).toBe('2');
    expect(maskingAnswer('Do you want to include passwords? Please be aware ... [N]> ')).toBe('N');
    expect(maskingAnswer('Choose the operation you want to perform:\n- NEW - Create')).toBeNull();
  });
});
