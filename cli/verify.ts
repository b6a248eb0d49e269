/**
 * `cpq-monitor verify`: checks a deployed stack end to end with the caller's AWS credentials and
 * prints a checklist with a fix per failed line (docs/deploy.md, "Verify the deployment").
 * Exit 0 all ok, 1 a warning, 2 a failed check, 3 when verify could not run (stack not found,
 * no credentials, bad arguments).
 */
import type { Command } from 'commander';
import { EXIT } from '../shared/errors';
import { formatChecklist } from '../shared/verify/render';
import { DEFAULT_STACK_NAME } from '../shared/verify/stack';
import { exitCodeFor, intOption, printJson, println } from './output';

interface VerifyFlags {
  stack: string;
  region?: string;
  fireAlarm?: boolean;
  testPage: boolean;
  appliances?: string;
  fireTimeout?: number;
  json?: boolean;
}

/** Registers `verify` on the program. */
export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'Check a deployed stack end to end: topic, subscriptions, a test page, alarms, dry runs, queue, heartbeats',
    )
    .option('--stack <name>', 'the deployed stack', DEFAULT_STACK_NAME)
    .option('--region <name>', 'AWS region of the stack (default: AWS_REGION or the profile)')
    .option('--no-test-page', 'do not publish the test page')
    .option(
      '--fire-alarm',
      'set the heartbeat alarm to ALARM and back and check its delivery (pages on-call as a test)',
    )
    .option(
      '--fire-timeout <s>',
      'seconds to wait for each delivery with --fire-alarm (default 120)',
      intOption('--fire-timeout', 10, 900),
    )
    .option(
      '--appliances <list>',
      'comma-separated appliances for the dry runs (default: the whole fleet within the deadline)',
    )
    .option('--json', 'print { stackName, status, lines } as JSON')
    .action(async (flags: VerifyFlags) => {
      // Loaded on use: six AWS SDK clients would slow every other command's start.
      const { createVerifyClients } = await import('../shared/verify/clients');
      const { VerifyError, verifyStack } = await import('../shared/verify/verify');
      try {
        const result = await verifyStack(createVerifyClients(flags.region), {
          stackName: flags.stack,
          testPage: flags.testPage,
          fireAlarm: flags.fireAlarm === true,
          ...(flags.fireTimeout === undefined ? {} : { fireTimeoutMs: flags.fireTimeout * 1000 }),
          ...(flags.appliances === undefined
            ? {}
            : {
                appliances: flags.appliances
                  .split(',')
                  .map((a) => a.trim())
                  .filter((a) => a !== ''),
              }),
        });
        if (flags.json) printJson(result, 2);
        else println(formatChecklist(result.stackName, result.lines));
        process.exitCode = exitCodeFor(result.status);
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        process.stderr.write(`cpq-monitor verify: ${err.message}\n`);
        process.exitCode = EXIT.unknown;
      }
    });
}
