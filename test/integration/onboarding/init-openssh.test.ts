/**
 * `cpq-monitor init` against the system's real OpenSSH server (started here on 127.0.0.1 with its
 * own host key, key authentication and a ForceCommand shell imitating the AsyncOS CLI in a real
 * PTY), with a lab CPQ listener on an ephemeral port as the appliance's listener. CI installs
 * openssh-server; when sshd is missing this test fails and says so.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createApplianceState } from '../../../lab/appliance-state';
import {
  interfaceconfigSteps,
  listenerconfigSteps,
  type Step,
  showconfigXml,
  sslconfigSteps,
  statusText,
  versionText,
} from '../../../lab/asyncos-output';
import { type LabListener, startLabListener } from '../../../lab/listener';
import { generateKeyPair } from '../../../lab/ssh-server';
import { loadInventory } from '../../../shared/inventory/load';
import { closedPort, cpqMonitor } from './run-cli';

const SSHD = '/usr/sbin/sshd';

// The CLI: a prompt; plain commands print their saved output; showconfig asks the passphrase
// question first; the listings end in a menu that waits for an answer. Every line read is logged.
const SCRIPT = `#!/bin/bash
D="$(dirname "$0")"
LOG="$D/typed.log"
printf '\\nAsyncOS 14.2.0 for Cisco C390 build 620\\n\\nWelcome to the Cisco C390 Email Security Appliance\\n\\n'
while true; do
  printf 'esa7.example.com> '
  IFS= read -r line || exit 0
  printf '%s\\n' "$line" >> "$LOG"
  case "$line" in
    version|status) cat "$D/$line.txt" ;;
    showconfig)
      printf '\\nChoose the passphrase option:\\n1. Mask passphrases (Files with masked passphrases cannot be loaded using loadconfig command)\\n2. Encrypt passphrases\\n[1]> '
      IFS= read -r a; printf '%s\\n' "$a" >> "$LOG"
      cat "$D/showconfig.txt" ;;
    sslconfig|listenerconfig|interfaceconfig)
      cat "$D/$line.txt"; printf '[]> '
      IFS= read -r a; printf '%s\\n' "$a" >> "$LOG" ;;
    "") ;;
    *) printf 'Unknown command or missing feature key: %s\\n' "$line" ;;
  esac
done
`;

let dir: string;
let sshd: ChildProcess | undefined;
let port: number;
let hostKey: string;
let hostKeyMd5: string;
let listener: LabListener;
const clientKey = generateKeyPair();

async function waitForPort(p: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: p });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${p} in time`);
}

const text = (steps: Step[]) => steps.map((s) => ('out' in s ? s.out : '')).join('');

beforeAll(async () => {
  if (!existsSync(SSHD))
    throw new Error(
      `${SSHD} is missing: install openssh-server (apt-get install -y openssh-server); CI does`,
    );
  listener = await startLabListener({ hostname: 'esa7.example.com' });
  mkdirSync('/run/sshd', { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'cpq-init-sshd-'));
  // What the appliance says about itself: an ESA whose CPQ listener is the lab listener above and
  // whose quarantine goes to an SMA this test does not read.
  const state = createApplianceState({
    role: 'esa',
    hostname: 'esa7.example.com',
    ip: '127.0.0.1',
    cpqPort: listener.port,
    cpqTarget: { enabled: true, host: 'sma1.example.com', port: 7025, interface: 'Management' },
  });
  writeFileSync(join(dir, 'version.txt'), versionText(state));
  writeFileSync(join(dir, 'status.txt'), statusText(state, false));
  writeFileSync(join(dir, 'showconfig.txt'), `\n${showconfigXml(state)}`);
  writeFileSync(join(dir, 'sslconfig.txt'), text(sslconfigSteps(state)));
  writeFileSync(join(dir, 'listenerconfig.txt'), text(listenerconfigSteps(state)));
  writeFileSync(join(dir, 'interfaceconfig.txt'), text(interfaceconfigSteps(state)));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
  hostKey = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_ed25519.pub')])
    .toString()
    .split(' ')[1]!;
  hostKeyMd5 = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', join(dir, 'host_ed25519.pub')])
    .toString()
    .split(' ')[1]!;
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey.publicKey}\n`);
  writeFileSync(join(dir, 'client_key'), clientKey.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'asyncos.sh'), SCRIPT);
  chmodSync(join(dir, 'asyncos.sh'), 0o755);
  port = await closedPort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${userInfo().username}`,
      `ForceCommand ${join(dir, 'asyncos.sh')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sshd.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<never>((_, reject) =>
    sshd!.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${stderr.trim()}`))),
  );
  await Promise.race([waitForPort(port, Date.now() + 10_000), exited]);
});

afterAll(async () => {
  if (sshd && sshd.exitCode === null) {
    const gone = new Promise((r) => sshd!.once('exit', r));
    sshd.kill('SIGTERM');
    await gone;
  }
  await listener?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

jest.setTimeout(60_000);

describe('cpq-monitor init against OpenSSH sshd', () => {
  it('shows the fingerprint ssh-keygen prints, reads with the allow-list only, and writes a key-file inventory', async () => {
    // Prepare
    const out = join(dir, 'inventory.yaml');
    // Act: confirm the host key, pin the certificate.
    const run = await cpqMonitor(
      [
        'init',
        `127.0.0.1:${port}`,
        '--user',
        userInfo().username,
        '--key',
        join(dir, 'client_key'),
        '--out',
        out,
      ],
      { stdin: 'yes\nyes\n' },
    );
    // Assess
    expect(run.stderr).toContain(
      `presents the SSH host key (ssh-ed25519)\n    ${hostKey}\n    ${hostKeyMd5}  `,
    );
    expect(run.stderr).toContain('logconfig > hostkeyconfig > fingerprint');
    expect(run.code).toBe(1);
    const inv = loadInventory(out);
    expect(inv.appliances).toEqual([
      expect.objectContaining({
        name: 'esa7',
        role: 'esa',
        host: '127.0.0.1',
        cpqPort: listener.port,
        ssh: { port, user: userInfo().username, hostKeys: [hostKey], credentials: { keyFile: 'client_key' } },
        tls: { pins: [listener.fingerprint256] },
      }),
    ]);
    // The SMA it quarantines to was not read: the field to fill in is named.
    const file = readFileSync(out, 'utf8');
    expect(file).toMatch(
      /# - esa7: appliances\[\]\.quarantine\.sma: its quarantine target sma1\.example\.com:7025 \(showconfig\) is none of the SMAs read/,
    );
    expect(file).not.toContain('PRIVATE KEY');
    // What the shell read: the six commands, the masking answer and an empty line for each menu.
    expect(readFileSync(join(dir, 'typed.log'), 'utf8').split('\n').slice(0, -1)).toEqual([
      'version',
      'status',
      'showconfig',
      '1',
      'sslconfig',
      '',
      'listenerconfig',
      '',
      'interfaceconfig',
      '',
    ]);
  });

  it('the ssh-keyscan line of docs/onboarding.md prints the same fingerprint', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/onboarding.md'), 'utf8');
    const line = /^\s*(ssh-keyscan .*)$/m.exec(doc)![1]!.replace('esa1.example.com', `-p ${port} 127.0.0.1`);
    const out = execFileSync('bash', ['-c', line]).toString();
    expect(out).toContain(` ${hostKey} `);
  });

  it('refuses the server when --accept-host-keys names another key: nothing is sent after the key exchange', async () => {
    rmSync(join(dir, 'typed.log'), { force: true });
    const run = await cpqMonitor([
      'init',
      `127.0.0.1:${port}`,
      '--user',
      userInfo().username,
      '--key',
      join(dir, 'client_key'),
      '--accept-host-keys',
      'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`REFUSED host key ${hostKey}`);
    expect(existsSync(join(dir, 'typed.log'))).toBe(false);
  });
});
