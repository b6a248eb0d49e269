import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE_CASES } from '../../../../bench/hostile';
import { parseCommandOutput } from '../../../../shared/asyncos/commands';

const FIXTURES = join(__dirname, '../../../fixtures/asyncos');

// Each case was quadratic once (seconds at 40,000 characters, hours at the 4 MiB output cap); the
// `parsers` benchmark prints how each one's time grows up to the cap. Here: a long run of blanks,
// tabs, numbers or unclosed tags neither throws nor makes a parser give up on the rest of the
// output it could read before.
describe('parsers on hostile output', () => {
  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const pristine = parseCommandOutput(c.kind, readFileSync(join(FIXTURES, c.fixture), 'utf8'));
    const hostile = parseCommandOutput(c.kind, c.build(100_000));
    // An unclosed-tag document is not the fixture: it only has to end in a clear verdict.
    if (c.name.includes('unclosed')) {
      expect(typeof hostile.ok).toBe('boolean');
      if (!hostile.ok) expect(hostile.reason).toEqual(expect.any(String));
    } else {
      expect(hostile.ok).toBe(pristine.ok);
    }
  });

  it('still reads a hoststatus table row by its shortest label', () => {
    const out = parseCommandOutput(
      'hoststatus',
      "Host mail status for: 'example.com'\nCounters:\n  Queue 1  2 3\n  Soft Bounced Events     17\n",
    );
    expect(out).toMatchObject({ ok: true, facts: { 'Queue 1': '2', 'Soft Bounced Events': '17' } });
  });
});
