/**
 * Hostile AsyncOS output: each case is a recorded fixture with one long run (blanks, tabs, a row of
 * numbers, thousands of unclosed XML openings) inserted where a parser was once quadratic (a lazy
 * label followed by `\s+`, a lazy `open([\s\S]*?)close` rescanned from every opening). The
 * `parsers` section times each case at growing lengths up to the reader's 4 MiB output cap and
 * prints the time per byte: flat means linear. The parser tests read the same cases and check that
 * the facts around the run are still read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParseKind, parseCommandOutput } from '../shared/asyncos/commands';
import { classifyTail } from '../shared/asyncos/prompt';
import { cleanTerminalText, removePagerLines, TerminalDecoder } from '../shared/asyncos/terminal';
import type { BenchSection } from './harness';

const FIXTURES = join(__dirname, '../test/fixtures/asyncos');

/** One hostile output: the command it answers and its text with a run of about `length` characters. */
export interface HostileCase {
  name: string;
  kind: ParseKind;
  /** The recorded fixture the run goes into (the test compares with it). */
  fixture: string;
  build(length: number): string;
}

/** A fixture with `run` inserted into line `line` at column `at`. */
function withRun(file: string, line: number, at: number, run: string): string {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  const l = lines[line]!;
  lines[line] = l.slice(0, at) + run + l.slice(at);
  return lines.join('\n');
}

function inserted(
  kind: ParseKind,
  file: string,
  line: number,
  at: number,
  unit: string,
  what: string,
): HostileCase {
  return {
    name: `${kind}: ${what} in ${file} line ${line}`,
    kind,
    fixture: file,
    build: (length) => withRun(file, line, at, unit.repeat(Math.ceil(length / unit.length))),
  };
}

function unclosed(what: string, open: string): HostileCase {
  return {
    name: `showconfig: thousands of unclosed ${what}`,
    kind: 'showconfig',
    fixture: 'showconfig-esa-cluster.txt',
    build: (length) =>
      `<?xml version="1.0"?>\n<config>\n${open.repeat(Math.ceil(length / open.length))}\n</config>\n`,
  };
}

export const HOSTILE_CASES: readonly HostileCase[] = [
  inserted('status', 'status-esa-online.txt', 13, 12, ' ', 'blanks'),
  inserted('status detail', 'status-detail-esa-nested.txt', 11, 12, '\t', 'tabs'),
  inserted('hoststatus', 'hoststatus.txt', 2, 6, ' ', 'blanks'),
  inserted('hoststatus', 'hoststatus.txt', 1, 0, '  1', 'a row of numbers'),
  inserted('interfaceconfig', 'interfaceconfig-cluster.txt', 4, 7, '\t', 'tabs'),
  inserted('listenerconfig', 'listenerconfig.txt', 4, 50, ' ', 'blanks'),
  inserted('sslconfig', 'sslconfig-garbled.txt', 1, 11, ' ', 'blanks'),
  inserted('tophosts', 'tophosts-esa.txt', 8, 3, ' ', 'blanks'),
  inserted('version', 'version.txt', 2, 5, ' ', 'blanks'),
  inserted('grep', 'maillog-cpq.txt', 1, 30, ' ', 'blanks'),
  inserted('showconfig', 'showconfig-esa-cluster.txt', 10, 4, ' ', 'blanks'),
  unclosed('comments', '<!--'),
  unclosed('listeners', '<listener>'),
  unclosed('listener attributes', '<listener a'),
  unclosed('TLS settings', '<ssl_outbound_ciphers>'),
  unclosed('PVO targets', '<pvo_host>'),
  unclosed('CDATA sections', '<hostname><![CDATA['),
];

/** The session's terminal helpers on the runs that were once quadratic, `n` characters long. */
const TERMINAL_CASES: ReadonlyArray<{ name: string; run(n: number): void }> = [
  { name: 'classifyTail: a run of blanks', run: (n) => classifyTail(`${' '.repeat(n)}x`) },
  { name: 'classifyTail: a run of brackets', run: (n) => classifyTail('['.repeat(n)) },
  {
    name: 'removePagerLines: blanks before the pager text',
    run: (n) => removePagerLines(`${' '.repeat(n)}x\n${' '.repeat(n)}-Press Any Key For More- x`),
  },
  {
    name: 'TerminalDecoder: backspaces after a long line',
    run: (n) => {
      const d = new TerminalDecoder();
      d.push('a'.repeat(n));
      d.push('xy\b'.repeat(n / 50));
    },
  },
  {
    name: 'cleanTerminalText: nested backspaces',
    run: (n) => cleanTerminalText(`${'a'.repeat(n)}${'\b'.repeat(n)}x`),
  },
  {
    name: 'TerminalDecoder: a long run of CRs in chunks',
    run: (n) => {
      const d = new TerminalDecoder();
      for (let i = 0; i < n / 50; i++) d.push('\r'.repeat(50));
    },
  },
];

/** The reader's output cap: the longest text a parser is ever given. */
const CAP = 4 * 1024 * 1024;
const LENGTHS = [100_000, 1_000_000, CAP];

async function run(): Promise<void> {
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out(
    `Node ${process.version}; ns per byte at ${LENGTHS.map((n) => n.toLocaleString('en-US')).join(' / ')} characters, and the ratio of the last to the first (1 = linear)`,
  );
  for (const c of HOSTILE_CASES) {
    const perByte = LENGTHS.map((n) => {
      const text = c.build(n);
      const t = process.hrtime.bigint();
      parseCommandOutput(c.kind, text);
      return Number(process.hrtime.bigint() - t) / text.length;
    });
    const ms = (perByte.at(-1)! * CAP) / 1e6;
    out(
      `  ${c.name.padEnd(62)} ${perByte.map((x) => x.toFixed(0).padStart(5)).join(' ')}  x${(perByte.at(-1)! / perByte[0]!).toFixed(1)}  (${ms.toFixed(0)} ms at 4 MiB)`,
    );
  }
  for (const c of TERMINAL_CASES) {
    const perByte = LENGTHS.map((n) => {
      const t = process.hrtime.bigint();
      c.run(n);
      return Number(process.hrtime.bigint() - t) / n;
    });
    out(
      `  ${c.name.padEnd(62)} ${perByte.map((x) => x.toFixed(0).padStart(5)).join(' ')}  x${(perByte.at(-1)! / perByte[0]!).toFixed(1)}`,
    );
  }
}

/** The `parsers` section of `npm run bench`. */
export const parsersBench: BenchSection = {
  name: 'parsers',
  description:
    'each parser and terminal helper on hostile output up to the 4 MiB cap: time per byte as the run grows',
  run,
};
