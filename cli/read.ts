/**
 * `cpq-monitor read HOST`: one read-only SSH session to an AsyncOS appliance, printing the facts
 * of each command readably or, with --json, the ReadResult. `--print-host-key` fetches the
 * fingerprint to pin (no authentication, no command). Passwords come only from an environment
 * variable, keys from a file; neither is ever printed. Exit 0 ok, 1 warning, 2 critical, 3 usage.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { commandLine } from '../shared/asyncos/allowlist';
import { COMMANDS, type CommandRequest, parsedCommand } from '../shared/asyncos/commands';
import { fetchHostKey, readAppliance } from '../shared/asyncos/reader';
import type { ReadOptions, ReadResult, SshAuth } from '../shared/asyncos/types';
import { ConfigError, EXIT, errorMessage } from '../shared/errors';
import { READ_DEFAULTS } from '../shared/prober/ssh-defaults';
import { printable } from '../shared/text';
import { checkFingerprintFlag } from './host-key-flag';
import { collect, exitCodeFor, formatMs, intOption, parseTarget, printJson, println } from './output';
import { cliName, formatFacts } from './parse';

const DEFAULT_COMMANDS = 'status,tophosts,showconfig,sslconfig';
/** Commands `--commands` offers, by every name people type for them. */
const OFFERED = COMMANDS.filter((c) => c.readItem !== undefined);
const BY_ITEM = new Map(OFFERED.flatMap((c) => [c.name, ...c.aliases].map((n) => [n, c] as const)));
/** The items as the CLI lists them, with the argument some take (`tophosts:SORT`). */
const ITEMS = OFFERED.map((c) => ({ name: cliName(c), hint: c.readItem?.hint }));
const NOT_AN_ITEM = `is not one of ${ITEMS.map((i) => i.name).join(', ')} (${ITEMS.flatMap((i) => (i.hint === undefined ? [] : [`${i.name}:${i.hint}`])).join(', ')} allowed)`;

interface ReadFlags {
  port?: number;
  user?: string;
  passwordEnv?: string;
  key?: string;
  passphraseEnv?: string;
  hostKey?: string[];
  commands: string;
  grep?: string[];
  hoststatus?: string[];
  cpqQueue?: string;
  releaseQueue?: string;
  timeout?: number;
  commandTimeout?: number;
  printHostKey?: boolean;
  json?: boolean;
}

/** `status,tophosts:3,mail_logs` → command requests; every item is checked against the allow-list. */
export function commandsFromFlags(
  list: string,
  grep: string[] = [],
  hoststatus: string[] = [],
): CommandRequest[] {
  const out: CommandRequest[] = [];
  /** The option each request came from, so a refusal names it. */
  const from = new Map<CommandRequest, string>();
  for (const item of list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const [name = '', given] = item.split(':', 2);
    const command = BY_ITEM.get(name);
    if (command?.readItem === undefined || (given !== undefined && !command.readItem.takesArg))
      throw new ConfigError(`--commands: "${item}" ${NOT_AN_ITEM}`);
    const arg = given ?? command.readItem.defaultArg;
    const req: CommandRequest = arg === undefined ? { name: command.name } : { name: command.name, arg };
    from.set(req, `--commands "${item}"`);
    out.push(req);
  }
  for (const pattern of grep) {
    const req: CommandRequest = { name: 'grep', arg: pattern };
    from.set(req, `--grep ${JSON.stringify(pattern)}`);
    out.push(req);
  }
  for (const host of hoststatus) {
    const req: CommandRequest = { name: 'hoststatus', arg: host };
    from.set(req, `--hoststatus ${JSON.stringify(host)}`);
    out.push(req);
  }
  for (const req of out) {
    const d = commandLine(req);
    if (!d.allowed) throw new ConfigError(`${from.get(req) ?? '--commands'} refused: ${d.reason}`);
  }
  if (out.length === 0) throw new ConfigError('no command to run');
  return out;
}

/** Credentials from the flags: a password from an environment variable, or a key file. */
export function authFromFlags(
  flags: Pick<ReadFlags, 'passwordEnv' | 'key' | 'passphraseEnv'>,
  env: NodeJS.ProcessEnv = process.env,
): SshAuth {
  if ((flags.passwordEnv === undefined) === (flags.key === undefined)) {
    throw new ConfigError('give exactly one of --password-env VAR or --key FILE');
  }
  if (flags.passwordEnv !== undefined) {
    const password = env[flags.passwordEnv];
    if (password === undefined || password === '') {
      throw new ConfigError(
        `--password-env ${flags.passwordEnv}: the environment variable is not set or empty`,
      );
    }
    return { password };
  }
  let privateKey: string;
  try {
    privateKey = readFileSync(flags.key!, 'utf8');
  } catch (err) {
    throw new ConfigError(`--key ${flags.key}: cannot read the file (${errorMessage(err)})`);
  }
  if (flags.passphraseEnv !== undefined) {
    const passphrase = env[flags.passphraseEnv];
    if (passphrase === undefined) throw new ConfigError(`--passphrase-env ${flags.passphraseEnv}: not set`);
    return { privateKey, passphrase };
  }
  return { privateKey };
}

/** Registers `read` on the program. */
export function register(program: Command): void {
  program
    .command('read')
    .description(
      'Read an AsyncOS appliance over a read-only SSH session (pinned host key) and print its facts',
    )
    .argument('<host>', 'appliance host name or address (HOST or HOST:PORT)')
    .option('--port <n>', 'SSH port (default 22)', intOption('--port', 1, 65535))
    .option('--user <name>', 'SSH user')
    .option('--password-env <VAR>', 'environment variable holding the password')
    .option('--key <file>', 'private key file')
    .option('--passphrase-env <VAR>', "environment variable holding the key file's passphrase")
    .option('--host-key <SHA256:...>', 'pinned host key fingerprint (repeatable, for rotation)', collect)
    .option(
      '--commands <list>',
      `comma-separated: ${ITEMS.map((i) => (i.hint === undefined ? i.name : `${i.name}[:${i.hint}]`)).join(',')}`,
      DEFAULT_COMMANDS,
    )
    .option('--grep <pattern>', 'grep mail_logs for this pattern (repeatable)', collect)
    .option('--hoststatus <host>', 'run hoststatus for this host (repeatable)', collect)
    .option('--cpq-queue <name>', 'name of the queue toward the SMA in tophosts (default the.cpq.host)')
    .option(
      '--release-queue <name>',
      'name of the queue of released messages in tophosts (default the.cpq.release.host)',
    )
    .option(
      '--timeout <ms>',
      `session deadline (default ${READ_DEFAULTS.timeoutMs})`,
      intOption('--timeout', 100, 600_000),
    )
    .option(
      '--command-timeout <ms>',
      `per-command deadline (default ${READ_DEFAULTS.commandTimeoutMs})`,
      intOption('--command-timeout', 100, 600_000),
    )
    .option('--print-host-key', 'only fetch and print the host key fingerprint to pin (no login, no command)')
    .option('--json', 'print the result as JSON')
    .action(async (target: string, flags: ReadFlags) => {
      const parsed = parseTarget(target);
      const port = flags.port ?? parsed.port ?? READ_DEFAULTS.port;
      if (flags.printHostKey) {
        const k = await fetchHostKey({
          host: parsed.host,
          port,
          ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
        });
        if (flags.json) printJson(k, 2);
        else if (k.status === 'ok') {
          println(k.hostKey);
          // stdout stays the one pinnable line; the other forms are for the eye.
          process.stderr.write(
            `${k.presented.type} key, ${k.presented.md5}: compare with the console's logconfig > hostkeyconfig > fingerprint\n`,
          );
        } else process.stderr.write(`cpq-monitor read: ${k.code}: ${k.message}\n`);
        process.exitCode = k.status === 'ok' ? EXIT.ok : EXIT.critical;
        return;
      }
      if (flags.user === undefined) throw new ConfigError('--user is required');
      const hostKeys = flags.hostKey ?? [];
      if (hostKeys.length === 0) {
        throw new ConfigError(
          `--host-key is required (get it with: cpq-monitor read ${target} --print-host-key)`,
        );
      }
      for (const k of hostKeys) checkFingerprintFlag('--host-key', k);
      const opts: ReadOptions = {
        host: parsed.host,
        port,
        username: flags.user,
        auth: authFromFlags(flags),
        hostKeys,
        commands: commandsFromFlags(flags.commands, flags.grep, flags.hoststatus),
        ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
        ...(flags.commandTimeout !== undefined ? { commandTimeoutMs: flags.commandTimeout } : {}),
        ...(flags.cpqQueue !== undefined ? { cpqQueueName: flags.cpqQueue } : {}),
        ...(flags.releaseQueue !== undefined ? { releaseQueueName: flags.releaseQueue } : {}),
      };
      const result = await readAppliance(opts);
      if (flags.json) printJson(result, 2);
      else println(formatReadReport(result, opts.commands));
      process.exitCode = exitCodeFor(result.status);
    });
}

/** Most matching log lines a readable report shows (the last ones; `--json` has them all). */
const MAX_GREP_LINES = 200;

/** The lines a grep matched, each made safe to print (peer text: no escapes, no control characters). */
function matchingLines(raw: string): string[] {
  const all = raw.split('\n').filter((l) => l.trim() !== '');
  const shown = all.slice(-MAX_GREP_LINES);
  return [
    all.length > shown.length
      ? `Matching lines (last ${shown.length} of ${all.length}; --json has all):`
      : `Matching lines (${all.length}):`,
    ...shown.map((l) => `  ${printable(l.trimEnd())}`),
  ];
}

/**
 * Why the command exits as it does, when not 0: a read whose session was fine (code `ok`) can
 * still be a warning because a command parsed only in part, and the header's code does not say
 * which; this line does.
 */
function exitCause(r: ReadResult): string[] {
  if (r.status === 'ok') return [];
  const why = Object.entries(r.commands)
    .filter(([, c]) => c.status !== 'ok')
    .map(([line, c]) => `${line}: ${c.status} ${c.code}: ${c.message}`);
  return [
    `exit ${exitCodeFor(r.status)} (${r.status}) because ${why.length > 0 ? why.join('; ') : r.message}`,
  ];
}

/** The readable report of one read. */
export function formatReadReport(r: ReadResult, commands: CommandRequest[]): string {
  const lines = [
    `${r.host}:${r.port} ${r.status.toUpperCase()} ${r.code}: ${r.message}`,
    ...exitCause(r),
    `host key ${r.hostKey ?? '-'}   connect ${formatMs(r.timings.connectMs)}   total ${formatMs(r.timings.totalMs)}`,
  ];
  for (const req of commands) {
    const d = commandLine(req);
    if (!d.allowed) continue;
    const c = r.commands[d.line];
    if (c === undefined) continue;
    const verdict = c.status === 'ok' ? c.code : `${c.status.toUpperCase()} ${c.code}: ${c.message}`;
    lines.push('', `== ${d.line} == ${verdict}`);
    const parsed = parsedCommand(d.line, c);
    if (parsed !== undefined) lines.push(formatFacts(parsed));
    if (parsed?.command === 'grep') lines.push(...matchingLines(c.raw));
    else if (c.raw.trim() !== '')
      lines.push(`raw output (last lines):\n${c.raw.trimEnd().split('\n').slice(-8).join('\n')}`);
  }
  return lines.join('\n');
}
