/** The top-level `cpq-monitor` command: what a user types before any sub-command. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpqMonitor } from '../onboarding/run-cli';

const VERSION = (
  JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string }
).version;

describe('cpq-monitor (top level)', () => {
  it.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    const r = await cpqMonitor([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(r.stderr).toBe('');
  });
});
