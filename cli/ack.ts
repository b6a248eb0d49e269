/**
 * `cpq-monitor ack ALERT-ID --reason TEXT`: acknowledges an alert's current incident, which stops
 * its reminders (an escalation still pages; a new incident pages again). docs/alerts.md#acknowledgements
 */
import type { Command } from 'commander';
import { type AckOutcome, acknowledge } from '../shared/alerts/operator-actions';
import { EXIT } from '../shared/errors';
import { namingTarget, operatorTarget, type TargetFlags, targetOptions } from './operator-target';
import { printJson, println } from './output';

interface AckFlags extends TargetFlags {
  reason: string;
  json?: boolean;
}

/** `ack`: stores the acknowledgement (or finds the one already there). */
export async function ackAlert(
  alertId: string,
  flags: AckFlags,
  now = new Date(),
): Promise<AckOutcome & { where: string }> {
  const target = await operatorTarget(flags);
  const out = await namingTarget(target.where, () =>
    acknowledge(target.operators, target.alerts, {
      alertId,
      reason: flags.reason,
      author: target.author,
      now,
    }),
  );
  return { ...out, where: target.where };
}

/** Registers `ack` on the program. */
export function register(program: Command): void {
  targetOptions(
    program
      .command('ack')
      .description(
        "Acknowledge an alert's current incident: no more reminders for it (escalations still page)",
      )
      .argument(
        '<alert-id>',
        'the alert id, as in `check` and the page: <appliance>/<check> or <from>-><to>/<check>',
      )
      .requiredOption('--reason <text>', 'why, e.g. "working on it, CHG-1234"')
      .option('--json', 'print the stored acknowledgement as JSON'),
  ).action(async (alertId: string, flags: AckFlags) => {
    const out = await ackAlert(alertId, flags);
    const a = out.ack;
    if (flags.json) printJson({ status: out.status, ack: a }, 2);
    else if (out.status === 'already') {
      println(`${alertId} is already acknowledged in ${out.where} by ${a.author} at ${a.at}: ${a.reason}`);
    } else {
      println(
        `acknowledged ${alertId} in ${out.where} (incident since ${a.since}, ${a.severity}) by ${a.author}: ${a.reason}`,
      );
      println(
        'Reminders for this incident stop from the next cycle; a worse severity still pages; after its recovery a new incident pages again.',
      );
    }
    process.exitCode = EXIT.ok;
  });
}
