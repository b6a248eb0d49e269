/** `cpq-monitor read` and `parse` as a user runs them (child processes), against the lab on loopback. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApplianceState } from '../../../lab/appliance-state';
import { type LabSshServer, startLabSshServer } from '../../../lab/ssh-server';

const run = promisify(execFile);
const BIN = join(__dirname, '../../../bin/cpq-monitor.js');
const PASSWORD = 'cli-pw-91c2';
let lab: LabSshServer;

beforeAll(async () => {
  lab = await startLabSshServer({
    state: createApplianceState({ role: 'sma', hostname: 'sma1.example.com', queueSize: 3 }),
    password: PASSWORD,
  });
});
afterAll(async () => {
  await lab.close();
});

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `read` against the lab, logging in as admin with the password from LAB_PW and this pin. */
function readLab(hostKey: string, ...more: string[]): string[] {
  return [
    'read',
    '127.0.0.1',
    '--port',
    String(lab.port),
    '--user',
    'admin',
    '--password-env',
    'LAB_PW',
    '--host-key',
    hostKey,
    ...more,
  ];
}

describe('cpq-monitor read', () => {
  it('prints the host key to pin, without logging in', async () => {
    const out = await cli(['read', `127.0.0.1:${lab.port}`, '--print-host-key']);
    expect(out).toMatchObject({ code: 0, stdout: `${lab.fingerprint}\n` });
    expect(lab.record.auth).toEqual([]);
  });

  it('reads with a password from the environment and prints JSON without the password', async () => {
    const out = await cli(readLab(lab.fingerprint, '--commands', 'status,tophosts,mail_logs', '--json'), {
      LAB_PW: PASSWORD,
    });
    expect(out.code).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json).toMatchObject({ host: '127.0.0.1', status: 'ok', code: 'ok', hostKey: lab.fingerprint });
    expect(json.commands.status.parsed).toMatchObject({ variant: 'sma', online: true });
    expect(json.commands['tophosts active_rcpts'].parsed.releaseQueue).toMatchObject({ activeRecipients: 3 });
    expect(Object.keys(json.commands)).toHaveLength(3);
    expect(out.stdout + out.stderr).not.toContain(PASSWORD);
  });

  it('exits 2 with the cause on a host key mismatch, and 3 on usage errors', async () => {
    const mismatch = await cli(readLab(lab.changedFingerprint), { LAB_PW: PASSWORD });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stdout).toMatch(/CRITICAL host_key_mismatch/);
    const noPin = await cli(['read', '127.0.0.1', '--user', 'admin', '--password-env', 'LAB_PW'], {
      LAB_PW: 'x',
    });
    expect(noPin.code).toBe(3);
    expect(noPin.stderr).toMatch(/--host-key is required/);
    const refused = await cli(
      [
        'read',
        '127.0.0.1',
        '--user',
        'a',
        '--password-env',
        'P',
        '--host-key',
        lab.fingerprint,
        '--commands',
        'suspend',
      ],
      { P: 'x' },
    );
    expect(refused.code).toBe(3);
  });
});
