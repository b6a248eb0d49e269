/**
 * `cpq-monitor init HOST...`: builds an inventory from the appliances themselves. For each host it
 * fetches the SSH host key (no login), has the operator confirm it (typed `yes`, or pinned in
 * advance with --accept-host-keys), reads version, status, showconfig, sslconfig, listenerconfig
 * and interfaceconfig over the read-only session, probes the CPQ listener it found, and writes an
 * inventory that passes the schema, with comments saying where each value came from and a list of
 * what is left to fill in. `init --check FILE` re-reads a fleet and prints the drift.
 * Exit codes: 0 complete / no drift, 1 something to fill in or a warning drift, 2 nothing written
 * or a critical drift, 3 usage. docs/onboarding.md walks through it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import pLimit from 'p-limit';
import { firstFacts } from '../shared/asyncos/commands';
import { isFingerprint } from '../shared/asyncos/fingerprint';
import { fetchHostKey, type ReaderDeps, readAppliance } from '../shared/asyncos/reader';
import type { CommandRequest, SshAuth } from '../shared/asyncos/types';
import { awsClientConfig } from '../shared/aws/client-config';
import { credentialResolver } from '../shared/cycle/credentials';
import { ConfigError, EXIT, errorMessage, type Status, worstStatus } from '../shared/errors';
import { loadInventory } from '../shared/inventory/load';
import type { SshCredentials } from '../shared/inventory/schema';
import {
  cpqListenerOf,
  type Discovery,
  discover,
  type HostReading,
  type LoginReference,
} from '../shared/onboarding/discover';
import { inventoryYaml, recordedCertificates } from '../shared/onboarding/document';
import { type DriftItem, driftOf } from '../shared/onboarding/drift';
import { probeListener } from '../shared/probes/probe';
import type { ProbeResult } from '../shared/probes/types';
import { printable, terminalText } from '../shared/text';
import { collect, intOption, parseTarget, printJson, println, table } from './output';
import { authFromFlags } from './read';

/** What init reads on every appliance: the read-only allow-list's configuration commands. */
export const INIT_COMMANDS: CommandRequest[] = [
  { name: 'version' },
  { name: 'status' },
  { name: 'showconfig' },
  { name: 'sslconfig' },
  { name: 'listenerconfig' },
  { name: 'interfaceconfig' },
];

interface InitFlags {
  user?: string;
  passwordEnv?: string;
  key?: string;
  passphraseEnv?: string;
  secretId?: string;
  fromFile?: string;
  port?: number;
  acceptHostKeys?: string[];
  pinCertificates?: boolean;
  out?: string;
  force?: boolean;
  check?: string;
  timeout?: number;
  concurrency?: number;
  json?: boolean;
}

/** Answers typed by the operator, one line per question; null once the input has ended. */
export interface Prompter {
  ask(question: string): Promise<string | null>;
  close(): void;
}

/** A prompter over a stream (stdin): questions go to `out`, lines are buffered so none is lost. */
export function streamPrompter(input: NodeJS.ReadableStream, out: NodeJS.WritableStream): Prompter {
  const rl = createInterface({ input, terminal: false });
  const it = rl[Symbol.asyncIterator]();
  let ended = false;
  return {
    async ask(question) {
      out.write(terminalText(question));
      if (ended) return null;
      const next = await it.next();
      if (next.done) {
        ended = true;
        out.write('\n');
        return null;
      }
      // A piped answer is not echoed by a terminal: show it, so the transcript reads as a dialogue.
      if (!(input as { isTTY?: boolean }).isTTY) out.write(`${terminalText(next.value.trim())}\n`);
      return next.value.trim();
    },
    close() {
      rl.close();
    },
  };
}

/** Host names from `--from-file`: one per line; blank lines and `#` comments ignored. */
export function hostsFromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
}

/** The credentials reference written to the inventory for the flags given (never the secret). */
export function credentialsReference(flags: InitFlags, outDir: string): SshCredentials {
  if (flags.secretId !== undefined) return { secretId: flags.secretId };
  if (flags.passwordEnv !== undefined) return { passwordEnv: flags.passwordEnv };
  const abs = resolve(flags.key!);
  const rel = relative(outDir, abs);
  // keyFile is read relative to the inventory's directory.
  const keyFile = rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return { keyFile, ...(flags.passphraseEnv !== undefined ? { passphraseEnv: flags.passphraseEnv } : {}) };
}

interface Gathered {
  readings: HostReading[];
  seenKeys: Map<string, string | null>;
}

interface GatherOptions {
  targets: Array<{
    host: string;
    port: number;
    name?: string;
    auth: () => Promise<SshAuth>;
    user: string;
    pins: string[];
  }>;
  accept: string[] | undefined;
  prompter: Prompter | null;
  log: (text: string) => void;
  timeoutMs: number;
  concurrency: number;
  pinCertificates: 'all' | 'ask' | 'none';
  /** Ports to probe when no read says otherwise (the inventory's, in --check). */
  fallbackCpqPort?: (i: number) => number;
  deps?: ReaderDeps;
}

/** Fetches host keys, confirms them, reads and probes. Never throws for one host's failure. */
async function gather(o: GatherOptions): Promise<Gathered> {
  const limit = pLimit(o.concurrency);
  const keys = await Promise.all(
    o.targets.map((t) =>
      limit(() =>
        fetchHostKey({ host: t.host, port: t.port, timeoutMs: Math.min(o.timeoutMs, 15_000) }, o.deps ?? {}),
      ),
    ),
  );
  const readings: HostReading[] = o.targets.map((t) => ({
    target: { host: t.host, port: t.port },
    ...(t.name !== undefined ? { name: t.name } : {}),
    hostKey: null,
    read: null,
    probe: null,
  }));
  const seenKeys = new Map<string, string | null>();
  // Confirmation, one host at a time (the operator answers in order).
  for (const [i, t] of o.targets.entries()) {
    const k = keys[i]!;
    const r = readings[i]!;
    const where = `${t.host}:${t.port}`;
    seenKeys.set(t.name ?? where, k.hostKey);
    if (k.status !== 'ok') {
      r.notRead = { code: k.code, message: `unreachable: ${printable(k.message)}` };
      o.log(`${where}: ${k.code}: ${printable(k.message)}\n`);
      continue;
    }
    if (t.pins.includes(k.hostKey) || o.accept?.includes(k.hostKey)) {
      r.hostKey = k.hostKey;
      o.log(
        `${where}: host key ${k.hostKey} (${t.pins.includes(k.hostKey) ? 'pinned in the inventory' : 'accepted by --accept-host-keys'})\n`,
      );
      continue;
    }
    if (o.accept !== undefined || o.prompter === null) {
      r.notRead = {
        code: 'host_key_not_accepted',
        message: `presents host key ${k.hostKey}, which is not ${t.pins.length > 0 ? 'pinned in the inventory nor ' : ''}among --accept-host-keys: compare it with a fingerprint taken out of band (docs/onboarding.md#host-keys) and pass it with --accept-host-keys`,
      };
      o.log(`${where}: REFUSED host key ${k.hostKey}: not among the accepted keys\n`);
      continue;
    }
    const answer = await o.prompter.ask(
      `${where} presents the SSH host key (${k.presented.type})\n    ${k.hostKey}\n    ${k.presented.md5}  (the same key in the MD5 form some consoles print)\n  Compare it with the fingerprint taken out of band: on the appliance console, logconfig > hostkeyconfig > fingerprint (docs/onboarding.md#host-keys).\n  Type yes to trust it: `,
    );
    if (answer === 'yes') r.hostKey = k.hostKey;
    else {
      r.notRead = { code: 'host_key_refused', message: `the operator did not confirm host key ${k.hostKey}` };
      o.log(`${where}: host key not confirmed; not read\n`);
    }
  }
  await Promise.all(
    o.targets.map((t, i) =>
      limit(async () => {
        const r = readings[i]!;
        if (r.hostKey === null) return;
        let auth: SshAuth;
        try {
          auth = await t.auth();
        } catch (err) {
          r.notRead = { code: 'credentials_unavailable', message: errorMessage(err) };
          r.hostKey = null;
          return;
        }
        const read = await readAppliance(
          {
            host: t.host,
            port: t.port,
            username: t.user,
            auth,
            hostKeys: [...new Set([r.hostKey, ...t.pins])],
            commands: INIT_COMMANDS,
            timeoutMs: o.timeoutMs,
          },
          o.deps ?? {},
        );
        if (Object.keys(read.commands).length === 0) {
          r.notRead = { code: read.code, message: printable(read.message) };
          r.hostKey = null;
          return;
        }
        r.read = read;
        const showconfig = firstFacts(read, 'showconfig');
        const listener = showconfig ? cpqListenerOf(showconfig) : null;
        const port = listener?.port || o.fallbackCpqPort?.(i) || 7025;
        r.probe = await probeListener({ host: t.host, port, timeoutMs: Math.min(o.timeoutMs, 10_000) });
      }),
    ),
  );
  for (const r of readings) {
    const cert = r.probe?.tls?.certificate?.fingerprint256;
    if (r.read === null || cert === undefined) continue;
    if (o.pinCertificates === 'all') r.pinCertificate = true;
    else if (o.pinCertificates === 'ask' && o.prompter !== null) {
      const answer = await o.prompter.ask(
        `${r.target.host}:${r.probe!.port} (CPQ listener) presents the certificate ${printable(r.probe!.tls!.certificate!.subject)}\n    SHA-256 ${cert}\n  Type yes to pin it (tls.pins), anything else to leave it unpinned: `,
      );
      r.pinCertificate = answer === 'yes';
    }
  }
  return { readings, seenKeys };
}

function probeLine(p: ProbeResult | null): string {
  if (p === null) return '-';
  const cert = p.tls?.certificate?.fingerprint256;
  return `${p.code}${cert ? ` cert ${cert.slice(0, 23)}…` : ''}${p.banner ? ` banner "${printable(p.banner).slice(0, 60)}"` : ''}`;
}

/** The readable report of an init run. */
export function formatInitReport(
  d: Discovery,
  readings: readonly HostReading[],
  written: string | null,
): string {
  const rows = d.appliances.map((a) => [
    a.name,
    a.role,
    `${a.host}:${a.ssh.port}`,
    a.cpqPort,
    a.cluster ?? '-',
    a.quarantine ? `${a.quarantine.sma}:${a.quarantine.port}` : '-',
    probeLine(readings.find((r) => r.target.host === a.host && r.target.port === a.ssh.port)?.probe ?? null),
  ]);
  const out: string[] = [];
  if (rows.length > 0)
    out.push(table(['name', 'role', 'ssh', 'cpqPort', 'cluster', 'quarantine', 'CPQ probe'], rows));
  if (d.unread.length > 0) {
    out.push('', 'Not read (not in the inventory):');
    for (const u of d.unread) out.push(`  ${u.host}:${u.port}  ${u.code}: ${u.message}`);
  }
  if (d.unresolved.length > 0) {
    out.push('', 'To fill in by hand:');
    for (const u of d.unresolved) out.push(`  ${u.appliance}  ${u.field}: ${u.why}`);
  }
  if (d.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of d.notes) out.push(`  ${n.appliance}: ${n.text}`);
  }
  if (written !== null)
    out.push('', `Inventory written to ${written} (${d.appliances.length} appliance(s)).`);
  return out.join('\n');
}

/** The readable drift table. */
export function formatDrift(items: readonly DriftItem[]): string {
  if (items.length === 0) return 'No drift: the inventory matches what the appliances report.';
  return table(
    ['appliance', 'field', 'severity', 'inventory', 'appliance reports', 'what to do'],
    items.map((i) => [
      i.appliance,
      i.field,
      i.severity === 'ok' ? 'info' : i.severity,
      i.inventory,
      i.seen,
      i.fix,
    ]),
  );
}

function checkAcceptFlags(list: string[] | undefined): void {
  for (const k of list ?? []) {
    if (!isFingerprint(k))
      throw new ConfigError(
        `--accept-host-keys "${k}" is not an OpenSSH fingerprint like SHA256:<43 base64 chars>`,
      );
  }
}

async function runInit(hosts: string[], flags: InitFlags, prompter: () => Prompter): Promise<number> {
  const all = [...hosts];
  if (flags.fromFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.fromFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`--from-file ${flags.fromFile}: cannot read the file (${errorMessage(err)})`);
    }
    all.push(...hostsFromText(text));
  }
  if (all.length === 0)
    throw new ConfigError('name at least one host (HOST... or --from-file FILE), or --check FILE');
  if (flags.user === undefined) throw new ConfigError('--user is required');
  checkAcceptFlags(flags.acceptHostKeys);
  const auth = authFromFlags(flags);
  const outDir = flags.out === undefined ? process.cwd() : dirname(resolve(flags.out));
  if (flags.out !== undefined && existsSync(flags.out) && !flags.force)
    throw new ConfigError(`--out ${flags.out} exists: choose another file or add --force`);
  const login: LoginReference = { user: flags.user, credentials: credentialsReference(flags, outDir) };
  const targets = [...new Set(all)].map((t) => {
    const p = parseTarget(t);
    return {
      host: p.host,
      port: flags.port ?? p.port ?? 22,
      auth: async () => auth,
      user: flags.user!,
      pins: [] as string[],
    };
  });
  // With --out the report goes to stdout; without it stdout carries the YAML and the report stderr.
  const report = (text: string) =>
    flags.out === undefined || flags.json
      ? process.stderr.write(terminalText(text))
      : process.stdout.write(terminalText(text));
  const interactive = flags.acceptHostKeys === undefined;
  const p = interactive ? prompter() : null;
  let gathered: Gathered;
  try {
    gathered = await gather({
      targets,
      accept: flags.acceptHostKeys,
      prompter: p,
      log: report,
      timeoutMs: flags.timeout ?? 30_000,
      concurrency: flags.concurrency ?? 8,
      pinCertificates: flags.pinCertificates ? 'all' : interactive ? 'ask' : 'none',
    });
  } finally {
    p?.close();
  }
  const d = discover(gathered.readings, login);
  if (flags.json) {
    printJson({ appliances: d.appliances, unread: d.unread, unresolved: d.unresolved, notes: d.notes }, 2);
    return d.appliances.length === 0
      ? EXIT.critical
      : d.unread.length + d.unresolved.length > 0
        ? EXIT.warning
        : EXIT.ok;
  }
  if (d.appliances.length === 0) {
    report(`${formatInitReport(d, gathered.readings, null)}\nNo appliance could be read: nothing written.\n`);
    return EXIT.critical;
  }
  const text = inventoryYaml(d, new Date().toISOString(), flags.out ?? 'init');
  if (flags.out !== undefined) writeFileSync(flags.out, text, { mode: 0o644 });
  else process.stdout.write(text);
  report(`${formatInitReport(d, gathered.readings, flags.out ?? null)}\n`);
  return d.unread.length + d.unresolved.length > 0 ? EXIT.warning : EXIT.ok;
}

async function runCheck(file: string, flags: InitFlags): Promise<number> {
  checkAcceptFlags(flags.acceptHostKeys);
  const inv = loadInventory(file);
  const recorded = recordedCertificates(readFileSync(file, 'utf8'));
  const resolver = credentialResolver({
    baseDir: dirname(resolve(file)),
    ...(inv.appliances.some((a) => a.ssh?.credentials.secretId !== undefined)
      ? { secretsManager: new SecretsManagerClient(awsClientConfig()) }
      : {}),
  });
  const read = inv.appliances.filter((a) => a.enabled && a.ssh !== undefined);
  const log = (text: string) =>
    flags.json ? process.stderr.write(terminalText(text)) : process.stdout.write(terminalText(text));
  const gathered = await gather({
    targets: read.map((a) => ({
      host: a.host,
      port: a.ssh!.port,
      name: a.name,
      user: a.ssh!.user,
      pins: a.ssh!.hostKeys,
      auth: () => resolver(a),
    })),
    accept: flags.acceptHostKeys ?? [],
    prompter: null,
    log,
    timeoutMs: flags.timeout ?? inv.monitor.sshTimeoutMs,
    concurrency: flags.concurrency ?? inv.monitor.concurrency,
    pinCertificates: 'none',
    fallbackCpqPort: (i) => read[i]!.cpqPort,
  });
  const d = discover(gathered.readings, { user: '-', credentials: { passwordEnv: 'UNUSED' } });
  const items = driftOf(inv, d, gathered.seenKeys, recorded);
  const skipped = inv.appliances.filter((a) => a.enabled && a.ssh === undefined).map((a) => a.name);
  if (flags.json)
    printJson({ inventory: file, drift: items, unread: d.unread, notes: d.notes, notRead: skipped }, 2);
  else {
    println(formatDrift(items));
    if (skipped.length > 0) println(`Not compared (no ssh settings): ${skipped.join(', ')}`);
  }
  const worst: Status = worstStatus(items.map((i) => i.severity));
  return EXIT[worst];
}

/** Registers `init` on the program. */
export function register(
  program: Command,
  prompter: () => Prompter = () => streamPrompter(process.stdin, process.stderr),
): void {
  program
    .command('init')
    .description(
      'Build an inventory from the appliances themselves (or, with --check, show how a fleet drifted from one)',
    )
    .argument('[hosts...]', 'appliances to read: HOST or HOST:PORT (SSH port)')
    .option('--user <name>', 'SSH user (a Read-Only Operator account; docs/onboarding.md)')
    .option('--password-env <VAR>', 'environment variable holding the password')
    .option('--key <file>', 'private key file')
    .option('--passphrase-env <VAR>', "environment variable holding the key file's passphrase")
    .option(
      '--secret-id <id>',
      'write this Secrets Manager secret id as the credentials ({name} = appliance name)',
    )
    .option('--from-file <file>', 'more hosts, one per line (# comments allowed)')
    .option('--port <n>', 'SSH port for every host (default 22, or HOST:PORT)', intOption('--port', 1, 65535))
    .option(
      '--accept-host-keys <fingerprints...>',
      'pin these host keys instead of asking (repeatable; others are refused)',
      collect,
    )
    .option('--pin-certificates', 'pin every CPQ certificate seen (tls.pins) without asking')
    .option('--out <file>', 'write the inventory here (default: stdout, with the report on stderr)')
    .option('--force', 'overwrite --out')
    .option('--check <inventory>', 're-read the fleet of an inventory and print the drift')
    .option(
      '--timeout <ms>',
      'per-appliance SSH session deadline (default 30000)',
      intOption('--timeout', 1000, 600_000),
    )
    .option('--concurrency <n>', 'appliances read at once (default 8)', intOption('--concurrency', 1, 256))
    .option('--json', 'print the discovery (or the drift) as JSON instead')
    .action(async (hosts: string[], flags: InitFlags) => {
      if (flags.check !== undefined) {
        if (hosts.length > 0) throw new ConfigError('--check takes the inventory only, not hosts');
        process.exitCode = await runCheck(flags.check, flags);
        return;
      }
      process.exitCode = await runInit(hosts, flags, prompter);
    });
}
