/** The top-level `cpq-monitor` command: what a user types before any sub-command. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort, cpqMonitor } from '../../helpers/run-cli';

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

  it('on a supported Node, an AWS call prints no SDK notice about Node versions', async () => {
    // A loopback port nothing listens on: the SDK sends (and would warn), the connection is refused.
    const port = await closedPort();
    const r = await cpqMonitor(['silence', 'list', '--table', 'cpq-alerts', '--region', 'us-east-1'], {
      env: {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_MAX_ATTEMPTS: '1',
      },
    });
    // The call was made and failed on the refused connection...
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.code).not.toBe(0);
    // ...and the SDK's Node-version notice did not print (bin/cpq-monitor.js switches it off).
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
  });
});
