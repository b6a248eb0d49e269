/**
 * The cpq-monitor command. Each sub-command lives in its own file and registers itself here.
 * Exit codes follow the monitoring-plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown.
 *
 * Only the sub-command being run is loaded (README, "How the command is built"): `probe` never
 * loads the SSH client, `--version` loads none of them. The overall help, `help` and a mistyped
 * name load them all, since they list every one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../shared/errors';
import { packageRoot } from '../shared/package-root';
import { watchParent } from './parent-watch';

/** A sub-command's file: it adds its command, options and action to the program. */
interface SubcommandModule {
  register(program: Command): void;
}

/** Every sub-command, in the order the help lists them: one line each. */
const SUBCOMMANDS: Record<string, () => Promise<SubcommandModule>> = {
  probe: () => import('./probe'),
  lab: () => import('./lab'),
  check: () => import('./check'),
  demo: () => import('./demo'),
  read: () => import('./read'),
  parse: () => import('./parse'),
  verify: () => import('./verify'),
  cost: () => import('./cost'),
  init: () => import('./init'),
  silence: () => import('./silence'),
  ack: () => import('./ack'),
  alerts: () => import('./alerts'),
};

/** The version in package.json (the one place it is kept). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/**
 * The sub-commands to load for these arguments: the one named first; none for `--version` alone;
 * all of them otherwise (the overall help, `help`, a mistyped name: each lists them all).
 */
function subcommandsFor(args: readonly string[]): string[] {
  const first = args.find((a) => !a.startsWith('-'));
  if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) return [first];
  const versionOnly = args.length > 0 && args.every((a) => a === '-V' || a === '--version');
  return versionOnly ? [] : Object.keys(SUBCOMMANDS);
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('cpq-monitor')
    .description('Monitor the Cisco ESA/SMA centralized quarantine (CPQ) path')
    .version(packageVersion(), '-V, --version', 'print the version of cpq-monitor and exit')
    .showHelpAfterError()
    .exitOverride();
  // Launched through npx, a SIGTERM reaches npx only (it forwards no signal to this child): the
  // parent's death stands for that signal, so every command stops exactly as on SIGTERM.
  watchParent(() => process.kill(process.pid, 'SIGTERM'));
  try {
    for (const name of subcommandsFor(argv.slice(2))) (await SUBCOMMANDS[name]!()).register(program);
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; every usage error is "unknown" (3).
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.unknown;
      return;
    }
    process.stderr.write(`cpq-monitor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.unknown;
  }
}

void main(process.argv);
