import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParseKind, parseCommandOutput } from '../../../../shared/asyncos/commands';

const FIXTURES = join(__dirname, '../../../fixtures/asyncos');

/** A fixture with `run` inserted into line `line` at column `at`. */
function withRun(file: string, line: number, at: number, run: string): string {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  const l = lines[line]!;
  lines[line] = l.slice(0, at) + run + l.slice(at);
  return lines.join('\n');
}

function elapsedMs(f: () => unknown): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

// Each case was quadratic (seconds at 40,000 characters, hours at the 4 MiB output cap): a lazy
// label followed by `\s+` over a long run of blanks, or by a row of numbers.
describe('parsers stay linear on hostile output', () => {
  const blanks = ' '.repeat(100_000);
  const tabs = '\t'.repeat(100_000);
  it.each<[ParseKind, string, number, number, string]>([
    ['status', 'status-esa-online.txt', 13, 12, blanks],
    ['status detail', 'status-detail-esa-nested.txt', 11, 12, tabs],
    ['hoststatus', 'hoststatus.txt', 2, 6, blanks],
    ['hoststatus', 'hoststatus.txt', 1, 0, '  1'.repeat(40_000)],
    ['interfaceconfig', 'interfaceconfig-cluster.txt', 4, 7, tabs],
    ['listenerconfig', 'listenerconfig.txt', 4, 50, blanks],
    ['sslconfig', 'sslconfig-garbled.txt', 1, 11, blanks],
    ['tophosts', 'tophosts-esa.txt', 8, 3, blanks],
    ['version', 'version.txt', 2, 5, blanks],
    ['grep', 'maillog-cpq.txt', 1, 30, blanks],
    ['showconfig', 'showconfig-esa-cluster.txt', 10, 4, blanks],
  ])('%s (%s line %i)', (kind, file, line, at, run) => {
    const text = withRun(file, line, at, run);
    expect(elapsedMs(() => parseCommandOutput(kind, text))).toBeLessThan(1000);
  });

  // The configuration XML: a lazy `open([\s\S]*?)close` rescanned to the end from every opening
  // left unclosed.
  it.each([
    ['comments', '<!--'],
    ['listeners', '<listener>'],
    ['listener attributes', '<listener a'],
    ['TLS settings', '<ssl_outbound_ciphers>'],
    ['the PVO target', '<pvo_host>'],
    ['CDATA', '<hostname><![CDATA['],
  ])('showconfig with thousands of unclosed %s', (_what, open) => {
    const text = `<?xml version="1.0"?>\n<config>\n${open.repeat(Math.ceil(300_000 / open.length))}\n</config>\n`;
    expect(elapsedMs(() => parseCommandOutput('showconfig', text))).toBeLessThan(1000);
  });

  it('still reads a hoststatus table row by its shortest label', () => {
    const out = parseCommandOutput(
      'hoststatus',
      "Host mail status for: 'example.com'\nCounters:\n  Queue 1  2 3\n  Soft Bounced Events     17\n",
    );
    expect(out).toMatchObject({ ok: true, facts: { 'Queue 1': '2', 'Soft Bounced Events': '17' } });
  });
});
