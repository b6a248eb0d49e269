/**
 * `cpq-monitor init` against the system's real OpenSSH server (started here on 127.0.0.1 with its
 * own host key, key authentication and a ForceCommand shell imitating the AsyncOS CLI in a real
 * PTY), with a lab CPQ listener on an ephemeral port as the appliance's listener. CI installs
 * openssh-server; when sshd is missing this test fails and says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createApplianceState } from '../../../lab/appliance-state';
import { type LabListener, startLabListener } from '../../../lab/listener';
import { interfaceconfigSteps, listenerconfigSteps, sslconfigSteps } from '../../../lab/output/menus';
import { showconfigXml } from '../../../lab/output/showconfig';
import type { Step } from '../../../lab/output/steps';
import { statusText, versionText } from '../../../lab/output/system';
import { loadInventory } from '../../../shared/inventory/load';
import { type RealSshd, startRealSshd } from '../../helpers/real-sshd';
import { cpqMonitor } from '../../helpers/run-cli';

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

let server: RealSshd;
let dir: string;
let port: number;
let hostKey: string;
let hostKeyMd5: string;
let listener: LabListener;
const text = (steps: Step[]) => steps.map((s) => ('out' in s ? s.out : '')).join('');

beforeAll(async () => {
  listener = await startLabListener({ hostname: 'esa7.example.com' });
  // What the appliance says about itself: an ESA whose CPQ listener is the lab listener above and
  // whose quarantine goes to an SMA this test does not read.
  const state = createApplianceState({
    role: 'esa',
    hostname: 'esa7.example.com',
    ip: '127.0.0.1',
    cpqPort: listener.port,
    cpqTarget: { enabled: true, host: 'sma1.example.com', port: 7025, interface: 'Management' },
  });
  server = await startRealSshd(SCRIPT, (d) => {
    writeFileSync(join(d, 'version.txt'), versionText(state));
    writeFileSync(join(d, 'status.txt'), statusText(state, false));
    writeFileSync(join(d, 'showconfig.txt'), `\n${showconfigXml(state)}`);
    writeFileSync(join(d, 'sslconfig.txt'), text(sslconfigSteps(state)));
    writeFileSync(join(d, 'listenerconfig.txt'), text(listenerconfigSteps(state)));
    writeFileSync(join(d, 'interfaceconfig.txt'), text(interfaceconfigSteps(state)));
  });
  ({ dir, port, hostKey, hostKeyMd5 } = server);
  writeFileSync(join(dir, 'client_key'), server.clientKey.privateKey, { mode: 0o600 });
});

afterAll(async () => {
  await server?.stop();
  await listener?.close();
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
