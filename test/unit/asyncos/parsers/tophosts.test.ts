import { parseTophosts } from '../../../../shared/asyncos/parsers/tophosts';
import { fixture } from '../fixture';

describe('parseTophosts', () => {
  it('reads rows with thousands separators and down markers, and picks out the CPQ queue', () => {
    const out = parseTophosts(fixture('tophosts-esa.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.statusAsOf).toBe('Mon Nov 18 22:22:23 2026');
    expect(out.facts.rows).toHaveLength(4);
    expect(out.facts.cpqQueue).toEqual({
      rank: 1,
      host: 'the.cpq.host',
      down: true,
      activeRecipients: 7055,
      connectionsOut: 0,
      deliveredRecipients: 182000,
      softBounced: 38548,
      hardBounced: 13987,
    });
    expect(out.facts.rows[1]).toMatchObject({ host: 'the.euq.queue', down: false, hardBounced: 2 });
    expect(out.facts.releaseQueue).toBeNull();
  });

  it('skips the sort menu, joins a wrapped row and finds the release queue', () => {
    const out = parseTophosts(fixture('tophosts-menu-wrapped.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.rows.map((r) => r.host)).toEqual([
      'the.cpq.release.host',
      'a-very-long-recipient-domain-name.subsidiary.example.org',
      'mail.partner.example.net',
    ]);
    expect(out.facts.rows[1]).toMatchObject({
      down: true,
      activeRecipients: 12,
      deliveredRecipients: 2310,
      hardBounced: 9,
    });
    expect(out.facts.releaseQueue?.activeRecipients).toBe(88);
    expect(out.facts.cpqQueue).toBeNull();
  });

  it('joins a header and rows hard-wrapped by a narrow terminal', () => {
    const out = parseTophosts(fixture('tophosts-narrow-terminal.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.rows).toHaveLength(2);
    expect(out.facts.cpqQueue).toMatchObject({
      down: true,
      activeRecipients: 640,
      softBounced: 203,
      hardBounced: 0,
    });
    expect(out.facts.rows[1]).toMatchObject({ host: 'example.com', hardBounced: 1 });
  });

  it('matches queue names from configuration, case-insensitively', () => {
    const out = parseTophosts(fixture('tophosts-esa.txt'), { cpqQueueName: 'THE.EUQ.QUEUE' });
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.cpqQueue?.activeRecipients).toBe(144);
  });

  it('accepts an empty table', () => {
    const out = parseTophosts(fixture('tophosts-empty.txt'));
    expect(out).toEqual({ ok: true, facts: expect.objectContaining({ rows: [], cpqQueue: null }) });
  });

  it('keeps the rows that parse and names the one that does not, with the CPQ queue', () => {
    const out = parseTophosts(fixture('tophosts-one-odd-row.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts.rows.map((r) => r.host)).toEqual(['the.cpq.host', 'the.euq.queue', 'example.com']);
    expect(out.facts.cpqQueue).toMatchObject({ host: 'the.cpq.host', activeRecipients: 7055, down: true });
    expect(out.facts.unparsedRows).toEqual([
      '3  odd host with spaces                   12      n/a       1        0        0',
    ]);
    expect(out.warning).toBe(
      '1 tophosts row does not parse and is left out: "3  odd host with spaces                   12      n/a       1        0        0"',
    );
  });

  it('a truncated row is a warning naming it, and output without the table is refused', () => {
    const cut = parseTophosts(fixture('tophosts-truncated.txt'));
    if (!cut.ok) throw new Error(cut.reason);
    expect(cut.facts.rows).toEqual([]);
    expect(cut.facts.unparsedRows).toEqual(['1* the.cpq.host                        7,055      0   182,0']);
    expect(cut.warning).toContain('1* the.cpq.host');
    const none = parseTophosts(fixture('status-unknown-command.txt'));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.reason).toMatch(/Unknown command/);
  });
});
