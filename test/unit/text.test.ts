import { inertJson, printable, terminalText } from '../../shared/text';

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
});
