/**
 * The system's real OpenSSH server for a test: started on 127.0.0.1 on a free port with its own
 * ed25519 host key, key authentication for the current user only, and a ForceCommand script that
 * imitates the AsyncOS CLI in a real PTY. CI installs openssh-server; without sshd this fails and
 * says so. The caller stops it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../lab/ssh-keys';
import { closedPort } from './run-cli';

const SSHD = '/usr/sbin/sshd';

export interface RealSshd {
  /** The server's directory: the script reads and writes its files here. */
  dir: string;
  port: number;
  /** The host key as `ssh-keygen -l -E sha256` and `-E md5` print it (OpenSSH's own rendering). */
  hostKey: string;
  hostKeyMd5: string;
  /** The client key the server accepts for the current user. */
  clientKey: { publicKey: string; privateKey: string };
  stop(): Promise<void>;
}

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

function fingerprint(pub: string, hash: 'sha256' | 'md5'): string {
  return execFileSync('ssh-keygen', ['-l', '-E', hash, '-f', pub]).toString().split(' ')[1]!;
}

/** Starts sshd with `script` as the shell; `prepare` writes the files the script reads first. */
export async function startRealSshd(
  script: string,
  prepare: (dir: string) => void = () => {},
): Promise<RealSshd> {
  if (!existsSync(SSHD)) {
    throw new Error(
      `${SSHD} is missing: install openssh-server (apt-get install -y openssh-server); CI does`,
    );
  }
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'cpq-sshd-'));
  const clientKey = generateKeyPair();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
  const hostKey = fingerprint(join(dir, 'host_ed25519.pub'), 'sha256');
  const hostKeyMd5 = fingerprint(join(dir, 'host_ed25519.pub'), 'md5');
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey.publicKey}\n`);
  writeFileSync(join(dir, 'asyncos.sh'), script);
  chmodSync(join(dir, 'asyncos.sh'), 0o755);
  prepare(dir);
  const port = await closedPort();
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
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  sshd.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<never>((_, reject) =>
    sshd.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${stderr.trim()}`))),
  );
  const stop = async () => {
    if (sshd.exitCode === null) {
      const gone = new Promise((r) => sshd.once('exit', r));
      sshd.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port, Date.now() + 10_000), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  exited.catch(() => {});
  return { dir, port, hostKey, hostKeyMd5, clientKey, stop };
}
