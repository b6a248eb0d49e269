/**
 * `cpq-monitor silence add|list|remove`: run-time silences, honoured by the next cycle without a
 * deploy, in the local state file or the deployed alert table (docs/alerts.md#silences).
 */
import type { Command } from 'commander';
import { addSilence, removeSilence } from '../shared/alerts/operator-actions';
import { listMutes, type MuteListing, newSilence, type Silence } from '../shared/alerts/silences';
import { EXIT } from '../shared/errors';
import { loadInventory } from '../shared/inventory/load';
import { DEFAULTS, type Inventory } from '../shared/inventory/schema';
import { loadOperatorState } from '../shared/state/operators/store';
import { namingTarget, operatorTarget, type TargetFlags, targetOptions } from './operator-target';
import { printJson, println, table } from './output';

interface AddFlags extends TargetFlags {
  appliance: string;
  check?: string;
  for?: string;
  until?: string;
  reason: string;
  json?: boolean;
}

interface ListFlags extends TargetFlags {
  json?: boolean;
}

/** The inventory when `--inventory` is given (its maintenance windows, its maxSilenceDays, its names). */
function inventoryOf(path: string | undefined): Inventory | undefined {
  return path === undefined ? undefined : loadInventory(path);
}

function maxDaysOf(inv: Inventory | undefined): number {
  return inv?.alerting.maxSilenceDays ?? DEFAULTS.maxSilenceDays;
}

/** `silence add`: validates, stores and returns the silence. */
export async function silenceAdd(
  flags: AddFlags,
  now = new Date(),
): Promise<{ silence: Silence; where: string }> {
  const inv = inventoryOf(flags.inventory);
  const target = await operatorTarget(flags);
  const maxDays = maxDaysOf(inv);
  const draft = newSilence(
    {
      appliance: flags.appliance,
      ...(flags.check !== undefined ? { check: flags.check } : {}),
      ...(flags.for !== undefined ? { for: flags.for } : {}),
      ...(flags.until !== undefined ? { until: flags.until } : {}),
      reason: flags.reason,
      author: target.author,
    },
    now,
    maxDays,
    inv,
  );
  return { silence: await addSilence(target.operators, draft, now, maxDays), where: target.where };
}

/** `silence list`: active silences and current or planned maintenance windows, with what each mutes now. */
export async function silenceList(
  flags: ListFlags,
  now = new Date(),
): Promise<{ mutes: MuteListing[]; where: string }> {
  const inv = inventoryOf(flags.inventory);
  const target = await operatorTarget(flags);
  const [{ silences }, open] = await Promise.all([
    loadOperatorState(target.operators),
    target.alerts.listOpen(),
  ]);
  return { mutes: listMutes(inv, silences, open, now, maxDaysOf(inv)), where: target.where };
}

/** `silence remove ID`. */
export async function silenceRemove(
  id: string,
  flags: ListFlags,
  now = new Date(),
): Promise<{ silence: Silence; where: string }> {
  const inv = inventoryOf(flags.inventory);
  const target = await operatorTarget(flags);
  const silence = await namingTarget(target.where, () =>
    removeSilence(target.operators, id, now, maxDaysOf(inv)),
  );
  return { silence, where: target.where };
}

/** The readable `silence list`. */
export function renderMutes(rows: readonly MuteListing[]): string {
  if (rows.length === 0) return 'no silences and no current or planned maintenance windows';
  return table(
    ['id', 'appliance', 'check', 'until', 'by', 'reason', 'muting now'],
    rows.map((r) => [
      r.id,
      r.appliance,
      r.check ?? '(any)',
      r.active ? r.endsAt : `${r.startsAt} to ${r.endsAt} (planned)`,
      r.author ?? 'inventory',
      r.reason,
      r.muting.join('\n') || '-',
    ]),
  );
}

/** Registers `silence` and its sub-commands on the program. */
export function register(program: Command): void {
  const silence = program
    .command('silence')
    .description('Silence alerts at run time (no deploy): add, list, remove');

  targetOptions(
    silence
      .command('add')
      .description(
        'Mute pages for matching alerts until the silence ends (recoveries of paged alerts still go out)',
      )
      .requiredOption(
        '--appliance <name>',
        "appliance name or pattern, only * and ? ('*' for all, 'esa-fra-*')",
      )
      .option(
        '--check <check>',
        "check name or pattern ('cpq_cert_*'); default every check except the protected ones",
      )
      .option('--for <duration>', 'how long: 30m, 2h, 1d, 1h30m')
      .option('--until <time>', 'until an ISO 8601 time, e.g. 2026-03-02T14:00:00Z')
      .requiredOption('--reason <text>', 'why (shown in `silence list`, `check` and the alert state)')
      .option('--json', 'print the stored silence as JSON'),
  ).action(async (flags: AddFlags) => {
    const { silence: s, where } = await silenceAdd(flags);
    if (flags.json) printJson(s, 2);
    else {
      println(
        `silence ${s.id} added to ${where}: ${s.appliance} / ${s.check ?? 'every check'} until ${s.endsAt}, by ${s.author}: ${s.reason}`,
      );
      println(
        `The next cycle mutes matching pages; remove it early with: cpq-monitor silence remove ${s.id}`,
      );
    }
    process.exitCode = EXIT.ok;
  });

  targetOptions(
    silence
      .command('list')
      .description('Active silences and maintenance windows, and the open alerts each one mutes now')
      .option('--json', 'print { mutes: [...] }'),
  ).action(async (flags: ListFlags) => {
    const { mutes, where } = await silenceList(flags);
    if (flags.json) printJson({ mutes }, 2);
    else println(`${renderMutes(mutes)}\n(read from ${where})`);
    process.exitCode = EXIT.ok;
  });

  targetOptions(
    silence
      .command('remove')
      .description('End a silence now (alerts it muted that still fail page at the next cycle)')
      .argument('<id>', 'the silence id (sil-...)'),
  ).action(async (id: string, flags: ListFlags) => {
    const { silence: s, where } = await silenceRemove(id, flags);
    println(
      `silence ${s.id} removed from ${where} (${s.appliance} / ${s.check ?? 'every check'}: ${s.reason})`,
    );
    process.exitCode = EXIT.ok;
  });
}
