/**
 * The command as installed: `--version` and `--help` from the package's bin, and every sub-command
 * `--help` lists has an acceptance run here (a documented example, or an entry of UNDOCUMENTED),
 * so a new sub-command without one fails this suite. A sub-command that fails to load fails its
 * own `--help` here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpqMonitor } from '../helpers/run-cli';
import { EXAMPLES, UNDOCUMENTED } from './examples';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '../..');

/** The sub-commands of `cpq-monitor --help`. */
async function listed(): Promise<string[]> {
  const r = await cpqMonitor(['--help']);
  expect(r.code).toBe(0);
  const commands = r.stdout.split(/^Commands:$/m)[1] ?? '';
  return [...commands.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

it('--version prints the version in package.json', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await cpqMonitor(['--version']);
  expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
});

it('--help lists the sub-commands, each of which has an acceptance run', async () => {
  const subcommands = await listed();
  expect(subcommands).toEqual(
    expect.arrayContaining(['init', 'check', 'probe', 'read', 'parse', 'lab', 'demo']),
  );
  const runs = [
    ...Object.entries(EXAMPLES)
      .filter(([, e]) => 'run' in e)
      .map(([k]) => k),
    ...Object.keys(UNDOCUMENTED),
  ];
  const covered = new Set(runs.map((k) => k.split(' ')[k.split(' ').indexOf('cpq-monitor') + 1]));
  expect(subcommands.filter((s) => !covered.has(s))).toEqual([]);
});

it('every sub-command loads and prints its own help (exit 0)', async () => {
  const failed: string[] = [];
  for (const sub of await listed()) {
    const r = await cpqMonitor([sub, '--help']);
    if (r.code !== 0 || !r.stdout.includes(`Usage: cpq-monitor ${sub}`))
      failed.push(`${sub}: ${r.code} ${r.stderr}`);
  }
  expect(failed).toEqual([]);
});
