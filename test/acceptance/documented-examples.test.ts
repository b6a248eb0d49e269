/**
 * Every `cpq-monitor` command line of the `sh` blocks of README.md and docs/*.md, run through the
 * package's bin (the built command, as `npx cpq-monitor` starts it) against the lab on loopback,
 * or against a deployed stack answered inside the command's process for `verify`, `--stack` and
 * `--table` (the alert table in dynalite on loopback, test/helpers/deployed-table.ts): the documented
 * exit code and a line of the documented output. The table of how each runs is examples.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AcceptanceLab, startAcceptanceLab } from '../helpers/acceptance-lab';
import { shCommands } from '../helpers/doc-commands';
import { cpqMonitorArgs, EXAMPLES, exampleKey, type Runnable, UNDOCUMENTED } from './examples';

// Generous: a loaded machine makes a run slower, never different (the runner has no timer of its own).
jest.setTimeout(180_000);

const ROOT = join(__dirname, '../..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every documented command line that runs cpq-monitor: where it is, its key, its words. */
const documented = DOCS.flatMap((file) =>
  shCommands(readFileSync(join(ROOT, file), 'utf8')).flatMap((cmd) => {
    const args = cpqMonitorArgs(cmd);
    // `VAR=...` stands for a secret the reader fills in: the lab's is used.
    const env = Object.fromEntries(Object.entries(cmd.env).filter(([, v]) => v !== '...'));
    return args === undefined ? [] : [{ file, key: exampleKey(cmd), args, env }];
  }),
);

describe('the table of documented examples', () => {
  it('has an entry for every documented command line, and none for a line no document shows', () => {
    const keys = new Set(documented.map((d) => d.key));
    expect(documented.filter((d) => !(d.key in EXAMPLES)).map((d) => `${d.file}: ${d.key}`)).toEqual([]);
    expect(Object.keys(EXAMPLES).filter((k) => !keys.has(k))).toEqual([]);
  });
});

let lab: AcceptanceLab;
beforeAll(async () => {
  lab = await startAcceptanceLab();
});
afterAll(async () => {
  await lab?.close();
});

/** The first place each documented line appears (a line shown in two docs runs once). */
const firstOf = documented.filter((d, i) => documented.findIndex((e) => e.key === d.key) === i);

async function assertRun(entry: Runnable, args: string[], env: Record<string, string>): Promise<void> {
  const r = await entry.run(lab, args, env);
  const text = `${r.stdout}${r.stderr}`;
  // The whole output in the failure message: what a user would have seen.
  expect({ code: r.code, signal: r.signal, text }).toEqual({
    code: entry.code,
    signal: null,
    text: expect.stringMatching(entry.output),
  });
}

describe('documented examples, run as written or on the lab', () => {
  it.each(firstOf.map((d) => [`${d.file}: ${d.key}`, d] as const))('%s', async (_, d) => {
    const entry = EXAMPLES[d.key];
    // A line without an entry fails the table's test above; here it is not run.
    if (entry !== undefined) await assertRun(entry, d.args, d.env);
  });
});

describe('sub-commands no example shows', () => {
  it.each(Object.entries(UNDOCUMENTED))('%s', async (key, entry) => {
    await assertRun(entry, key.split(' ').slice(1), {});
  });
});
