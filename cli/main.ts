/**
 * The cpq-monitor command. Each sub-command lives in its own file and registers itself here.
 * Exit codes follow the monitoring-plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXIT } from '../shared/errors';
import { register as registerAck } from './ack';
import { register as registerAlerts } from './alerts';
import { register as registerCheck } from './check';
import { register as registerCost } from './cost';
import { register as registerDemo } from './demo';
import { register as registerInit } from './init';
import { register as registerLab } from './lab';
import { register as registerParse } from './parse';
import { register as registerProbe } from './probe';
import { register as registerRead } from './read';
import { register as registerSilence } from './silence';
import { register as registerVerify } from './verify';

const program = new Command('cpq-monitor')
  .description('Monitor the Cisco ESA/SMA centralized quarantine (CPQ) path')
  .version(packageVersion(), '-V, --version', 'print the version of cpq-monitor and exit')
  .showHelpAfterError()
  .exitOverride();

/** The version in package.json (the one place it is kept). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

// Sub-commands: one line each.
registerProbe(program);
registerLab(program);
registerCheck(program);
registerDemo(program);
registerRead(program);
registerParse(program);
registerVerify(program);
registerCost(program);
registerInit(program);
registerSilence(program);
registerAck(program);
registerAlerts(program);

async function main(argv: string[]): Promise<void> {
  try {
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
