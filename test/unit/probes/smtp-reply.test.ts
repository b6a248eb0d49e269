import {
  offersStarttls,
  parseEhloExtensions,
  parseReplyLine,
  type ReaderEvent,
  ReplyReader,
} from '../../../shared/probes/smtp-reply';

const limits = { maxLineBytes: 64, maxReplyLines: 5, maxTotalBytes: 1024 };

function drain(reader: ReplyReader): ReaderEvent[] {
  const out: ReaderEvent[] = [];
  for (let e = reader.next(); e; e = reader.next()) out.push(e);
  return out;
}

describe('parseReplyLine', () => {
  it.each([
    ['220 mail.example.com ESMTP', { code: 220, final: true, text: 'mail.example.com ESMTP' }],
    ['250-STARTTLS', { code: 250, final: false, text: 'STARTTLS' }],
    ['250', { code: 250, final: true, text: '' }],
    ['421 4.3.2 busy', { code: 421, final: true, text: '4.3.2 busy' }],
  ])('parses %j', (line, expected) => {
    expect(parseReplyLine(line)).toEqual(expected);
  });

  it.each(['', 'hello', '22 short', '2200 long', '120 not a class', '250:colon', '\u0015\u0003\u0001'])(
    'rejects %j',
    (line) => {
      expect(parseReplyLine(line)).toBeNull();
    },
  );
});

describe('ReplyReader', () => {
  it('joins a multi-line reply split across chunks at odd places', () => {
    const reader = new ReplyReader(limits);
    reader.push(Buffer.from('250-host.example\r\n250-SIZE 10'));
    expect(drain(reader)).toEqual([]);
    reader.push(Buffer.from('485760\r\n250 STARTTLS\r'));
    expect(drain(reader)).toEqual([]);
    reader.push(Buffer.from('\n'));
    expect(drain(reader)).toEqual([
      { kind: 'reply', reply: { code: 250, lines: ['host.example', 'SIZE 10485760', 'STARTTLS'] } },
    ]);
    expect(reader.buffered).toBe(0);
  });

  it('accepts bare LF line endings and yields pipelined replies in order', () => {
    const reader = new ReplyReader(limits);
    reader.push(Buffer.from('220 hi\n250 ok\n'));
    expect(drain(reader).map((e) => (e.kind === 'reply' ? e.reply.code : e.kind))).toEqual([220, 250]);
  });

  it('reports bytes left after the last complete reply', () => {
    const reader = new ReplyReader(limits);
    reader.push(Buffer.from('220 go ahead\r\n\u0016\u0003'));
    expect(drain(reader)).toHaveLength(1);
    expect(reader.buffered).toBeGreaterThan(0);
  });

  it('fails on an over-long line as soon as the cap is passed, without waiting for its end', () => {
    const reader = new ReplyReader(limits);
    reader.push(Buffer.from(`220 ${'x'.repeat(100)}`));
    const events = drain(reader);
    expect(events).toEqual([{ kind: 'invalid', reason: 'a reply line longer than 64 bytes' }]);
    reader.push(Buffer.from('\r\n'));
    expect(drain(reader)).toEqual([]);
  });

  it('fails on a line that is not a reply, quoting it printably', () => {
    const reader = new ReplyReader(limits);
    reader.push(Buffer.from([0x15, 0x03, 0x01, 0x0d, 0x0a]));
    const [event] = drain(reader);
    expect(event?.kind).toBe('invalid');
    expect(event?.kind === 'invalid' && event.reason).toContain('\\u0015\\u0003\\u0001');
  });

  it('fails when a multi-line reply changes its code', () => {
    const reader = new ReplyReader(limits);
    reader.push(Buffer.from('250-a\r\n251 b\r\n'));
    expect(drain(reader)).toEqual([
      { kind: 'invalid', reason: 'a multi-line reply changed its code from 250 to 251' },
    ]);
  });

  it('caps the number of lines in a reply and the total bytes read', () => {
    const lines = new ReplyReader(limits);
    lines.push(Buffer.from('250-a\r\n'.repeat(6)));
    expect(drain(lines)).toEqual([{ kind: 'invalid', reason: 'a reply of more than 5 lines' }]);

    const total = new ReplyReader(limits);
    for (let i = 0; i < 60; i++) total.push(Buffer.from('250 fine, thank you\r\n'));
    const events = drain(total);
    expect(events.at(-1)).toEqual({ kind: 'invalid', reason: 'more than 1024 bytes of replies' });
  });
});

describe('EHLO extensions', () => {
  it('lists keywords after the server name, upper-cased', () => {
    const ext = parseEhloExtensions({
      code: 250,
      lines: ['mx.example', 'starttls', 'SIZE 100', ' 8BITMIME '],
    });
    expect(ext).toEqual(['STARTTLS', 'SIZE 100', '8BITMIME']);
    expect(offersStarttls(ext)).toBe(true);
  });

  it('does not mistake the server name or look-alikes for STARTTLS', () => {
    const ext = parseEhloExtensions({ code: 250, lines: ['STARTTLS', 'STARTTLSX', 'X-STARTTLS'] });
    expect(offersStarttls(ext)).toBe(false);
  });
});
