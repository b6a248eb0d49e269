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
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { awsClientConfig } from '../shared/aws/client-config';
import { credentialResolver } from '../shared/cycle/credentials';
import { ConfigError, EXIT, errorMessage, type Status, worstStatus } from '../shared/errors';
import { loadInventory } from '../shared/inventory/load';
import type { SshCredentials } from '../shared/inventory/schema';
import { discover, type LoginReference } from '../shared/onboarding/discover';
import { inventoryYaml, recordedCertificates } from '../shared/onboarding/document';
import { driftOf, notComparedOf } from '../shared/onboarding/drift';
import { terminalText } from '../shared/text';
import { checkFingerprintFlag } from './host-key-flag';
import { type Gathered, gather, INIT_COMMANDS, type Prompter, streamPrompter } from './init-gather';
import { formatDrift, formatInitReport } from './init-report';
import { checkOutFile, writeOutFile } from './out-file';
import { collect, intOption, parseTarget, printJson, println } from './output';
import { authFromFlags } from './read';

export { INIT_COMMANDS, type Prompter, streamPrompter } from './init-gather';
export { formatDrift, formatInitReport } from './init-report';

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

function checkAcceptFlags(list: string[] | undefined): void {
  for (const k of list ?? []) checkFingerprintFlag('--accept-host-keys', k);
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
  if (flags.out !== undefined) checkOutFile(flags.out, flags.force === true);
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
  if (flags.out !== undefined) writeOutFile(flags.out, text, flags.force === true);
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
  const notCompared = notComparedOf(
    gathered.readings,
    INIT_COMMANDS.map((c) => c.name),
    skipped,
  );
  if (flags.json)
    printJson(
      { inventory: file, drift: items, notCompared, unread: d.unread, notes: d.notes, notRead: skipped },
      2,
    );
  else println(formatDrift(items, notCompared));
  const worst: Status = worstStatus(items.map((i) => i.severity));
  // Not having compared is not "no drift": unknown (3), unless a compared drift is critical.
  if (notCompared.length > 0 && worst !== 'critical') return EXIT.unknown;
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
