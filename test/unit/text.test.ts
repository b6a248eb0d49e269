import { clip, inertJson, oneLine, printable, terminalText } from '../../shared/text';

describe('peer text shown to people', () => {
  const hostile =
    'ok\u001b[31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007 \u202eeulav\u200b\r\nnext\tcol\u009b2J';

  test('printable: one line, no escapes, invisible characters or controls', () => {
    expect(printable(hostile)).toBe('okred link eulav  next col 2J');
  });

  test('terminalText keeps line breaks and tabs, drops the rest', () => {
    expect(terminalText(hostile)).toBe('okred link eulav \nnext\tcol 2J');
  });

  test('inertJson is lossless and carries nothing a terminal acts on', () => {
    const doc = { banner: hostile, n: 1 };
    const text = inertJson(doc, 2);
    expect(text).not.toMatch(/[\u001b\u0007\u009b\u202e\u200b]/);
    expect(JSON.parse(text)).toEqual(doc);
  });

  test('oneLine: printable, every run of blanks and line breaks one space, trimmed', () => {
    expect(oneLine(`  ${hostile}  `)).toBe('okred link eulav next col 2J');
    expect(oneLine('a\u00a0\u00a0b\n\n c')).toBe('a b c');
  });
});

describe('clip', () => {
  test('leaves text within the bound alone', () => {
    expect(clip('abcdef', 6)).toBe('abcdef');
    expect(clip('', 0)).toBe('');
  });

  test('cuts to at most max characters, the cut marked with the ellipsis', () => {
    expect(clip('abcdefghij', 8)).toBe('abcde...');
    expect(clip('abcdefghij', 8, '…')).toBe('abcdefg…');
    for (const max of [0, 1, 3, 4, 9]) expect(clip('x'.repeat(20), max).length).toBeLessThanOrEqual(max);
  });

  test('drops the blanks before the cut, so no line ends in a space and an ellipsis', () => {
    expect(clip('one two three', 10)).toBe('one two...');
    expect(clip('one    three four', 10)).toBe('one...');
  });
});
