import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../../lab/ssh-keys';
import { fetchHostKey, readAppliance } from '../../../shared/asyncos/reader';
import type { ReadOptions, StatusFacts, TophostsFacts } from '../../../shared/asyncos/types';
import { type RealSshd, startRealSshd } from '../../helpers/real-sshd';

// A tiny AsyncOS imitation: prompt, a pager on status, a sort menu for bare tophosts, a menu after
// sslconfig, and everything it reads appended to a transcript file.
const SCRIPT = `#!/bin/bash
HOST=sshd-esa.example.com
LOG="$(dirname "$0")/typed.log"
printf '\\nAsyncOS 14.2.0 for Cisco C390 build 620\\n\\nWelcome to the Cisco C390 Email Security Appliance\\n\\n'
while true; do
  printf '%s> ' "$HOST"
  IFS= read -r line || exit 0
  printf '%s\\n' "$line" >> "$LOG"
  case "$line" in
    status)
      printf '\\nStatus as of:                  Fri Nov 27 07:00:00 2026 UTC\\n'
      printf 'System status:                 Receiving Suspended\\n'
      printf 'Oldest Message:                No Messages\\n'
      printf -- '-Press Any Key For More-'
      IFS= read -r key; printf '%s\\n' "$key" >> "$LOG"
      printf '\\r                        \\r'
      printf 'Gauges:                           Current\\n  Queue\\n    Active Recipients               1,204\\n'
      printf '    Messages In Work Queue              3\\n' ;;
    tophosts*)
      if [ "$line" = "tophosts" ]; then
        printf 'Sort results by:\\n\\n1. Active Recipients\\n2. Connections Out\\n[1]> '
        IFS= read -r key; printf '%s\\n' "$key" >> "$LOG"
      fi
      printf '\\nStatus as of:                       Fri Nov 27 07:00:00 2026 UTC\\n'
      printf "Hosts marked with '*' were down as of the last delivery attempt.\\n"
      printf '                                      Active   Conn.   Deliv.     Soft     Hard\\n'
      printf '#  Recipient Host                     Recip.    Out    Recip.  Bounced  Bounced\\n'
      printf '1* the.cpq.host                        1,204      0    10,311      412        0\\n' ;;
    sslconfig)
      printf '\\nsslconfig settings:\\n  Inbound SMTP method:  tlsv1.2\\n  Inbound SMTP ciphers:  HIGH:-aNULL\\n'
      printf '  Outbound SMTP method:  tlsv1.2\\n  Outbound SMTP ciphers:  HIGH:MEDIUM\\n\\n'
      printf 'Choose the operation you want to perform:\\n- OUTBOUND - Edit Outbound SMTP ssl settings.\\n[]> '
      IFS= read -r key; printf '%s\\n' "$key" >> "$LOG" ;;
    "") ;;
    *) printf 'Unknown command or missing feature key: %s\\n' "$line" ;;
  esac
done
`;

let server: RealSshd;
let dir: string;
let port: number;
let hostKeyFingerprint: string;
let hostKeyMd5: string;
let clientKey: RealSshd['clientKey'];

beforeAll(async () => {
  server = await startRealSshd(SCRIPT);
  ({ dir, port, hostKey: hostKeyFingerprint, hostKeyMd5, clientKey } = server);
});

afterAll(async () => {
  await server?.stop();
});

/** Lines the ForceCommand script read, in order. */
function typed(): string[] {
  return readFileSync(join(dir, 'typed.log'), 'utf8').split('\n').slice(0, -1);
}

function opts(over: Partial<ReadOptions> = {}): ReadOptions {
  return {
    host: '127.0.0.1',
    port,
    username: userInfo().username,
    auth: { privateKey: clientKey.privateKey },
    hostKeys: [hostKeyFingerprint],
    commands: [{ name: 'status' }, { name: 'tophosts', arg: '1' }, { name: 'sslconfig' }],
    timeoutMs: 10_000,
    commandTimeoutMs: 4000,
    ...over,
  };
}

describe('readAppliance against OpenSSH sshd', () => {
  it('fetches the same fingerprint ssh-keygen prints, in its SHA256 and MD5 forms', async () => {
    const k = await fetchHostKey({ host: '127.0.0.1', port, timeoutMs: 5000 });
    expect(k).toMatchObject({
      status: 'ok',
      hostKey: hostKeyFingerprint,
      presented: { sha256: hostKeyFingerprint, md5: hostKeyMd5, type: 'ssh-ed25519' },
    });
  });

  it('reads through a real PTY: echo, pager, menu, CRLF', async () => {
    const r = await readAppliance(opts());
    expect(r.message).toMatch(/read 3/);
    expect(r.code).toBe('ok');
    const status = r.commands.status!.parsed as StatusFacts;
    expect(status).toMatchObject({
      systemStatus: 'Receiving Suspended',
      online: false,
      activeRecipients: 1204,
      workQueue: 3,
    });
    const top = r.commands['tophosts 1']!.parsed as TophostsFacts;
    expect(top.cpqQueue).toMatchObject({ activeRecipients: 1204, down: true });
    expect(r.commands.sslconfig!.parsed).toMatchObject({ outboundAllowsAnonymous: true });
    // The server's transcript: the commands, an empty line for the pager and one for the menu.
    expect(typed()).toEqual(['status', '', 'tophosts 1', 'sslconfig', '']);
  });

  it('leaves a menu with an empty line and sends only the allow-listed line', async () => {
    const r = await readAppliance(opts({ commands: [{ name: 'tophosts', arg: '1' }] }));
    expect(r.code).toBe('ok');
    expect(typed().slice(-1)).toEqual(['tophosts 1']);
    // A bare `tophosts` line is what the script answers with its menu; the reader never sends one,
    // so the menu path is driven here through the session's menu handling of sslconfig instead.
    const s = await readAppliance(opts({ commands: [{ name: 'sslconfig' }] }));
    expect(s.code).toBe('ok');
    expect(typed().slice(-2)).toEqual(['sslconfig', '']);
  });

  it('host_key_mismatch against a key it did not pin', async () => {
    const r = await readAppliance(opts({ hostKeys: ['SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] }));
    expect(r).toMatchObject({ code: 'host_key_mismatch', hostKey: hostKeyFingerprint });
  });

  it('auth_failed with a key sshd does not know', async () => {
    const stranger = generateKeyPair();
    const r = await readAppliance(opts({ auth: { privateKey: stranger.privateKey } }));
    expect(r.code).toBe('auth_failed');
  });
});
