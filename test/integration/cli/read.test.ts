/** `cpq-monitor read` and `parse` as a user runs them (child processes), against the lab on loopback. */
import { createApplianceState } from '../../../lab/appliance-state';
import { type LabSshServer, startLabSshServer } from '../../../lab/ssh-server';
import { cpqMonitor } from '../../helpers/run-cli';

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

const cli = (args: string[], env: Record<string, string> = {}) => cpqMonitor(args, { env });

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
    // The other forms go to stderr, so `$(cpq-monitor read HOST --print-host-key)` stays one pin.
    expect(out.stderr).toMatch(
      /^ssh-ed25519 key, MD5:(?:[0-9a-f]{2}:){15}[0-9a-f]{2}: compare with the console's logconfig > hostkeyconfig > fingerprint\n$/,
    );
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

  it('read --grep prints the matching lines, made safe to print', async () => {
    const r = await cli(readLab(lab.fingerprint, '--commands', 'version', '--grep', 'CPQ'), {
      LAB_PW: PASSWORD,
    });
    expect(r.stderr).toBe('');
    const section = r.stdout.slice(r.stdout.indexOf('== grep -e "CPQ" mail_logs =='));
    expect(section).toMatch(/Matching lines \(\d+\):\n {2}\S/);
    const shown = section.split('\n').filter((l) => l.startsWith('  ') && l.includes('CPQ'));
    expect(shown.length).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('read --grep with ";" is refused, naming the character and why', async () => {
    const r = await cli(readLab(lab.fingerprint, '--grep', 'CPQ;resume'), { LAB_PW: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--grep "CPQ;resume" refused: grep pattern refuses ";" (character 4)');
    expect(r.stderr).toContain('start of a second one');
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
