/**
 * `cpq-monitor alerts [ALERT-ID]`: what is open, from the local state file or the deployed alert
 * table: severity, state, since, last notification, silenced by what until when, acknowledged by
 * whom and why. With an alert id, that one alert and its finding in full (evidence, fix, runbook).
 * docs/alerts.md#what-is-open
 */
import type { Command } from 'commander';
import {
  ALERT_STATES,
  type AlertFilters,
  type AlertListing,
  listAlerts,
  parseStates,
} from '../shared/alerts/listing';
import type { AlertRecord } from '../shared/alerts/record';
import { ConfigError, EXIT } from '../shared/errors';
import type { Finding } from '../shared/findings/types';
import { loadInventory } from '../shared/inventory/load';
import { DEFAULTS } from '../shared/inventory/schema';
import { loadOperatorState } from '../shared/state/operators/store';
import { operatorTarget, type TargetFlags, targetOptions } from './operator-target';
import { printJson, println, table } from './output';

interface AlertsFlags extends TargetFlags {
  appliance?: string;
  check?: string;
  alertState?: string;
  json?: boolean;
}

/** The `alerts --json` document. */
export interface AlertsDocument {
  /** `state file PATH` or `table NAME`. */
  source: string;
  alerts: AlertListing[];
}

/** Lists the open alerts (or the one named) of the target, filtered. */
export async function queryAlerts(
  flags: AlertsFlags,
  alertId?: string,
  now = new Date(),
): Promise<AlertsDocument> {
  const inv = flags.inventory === undefined ? undefined : loadInventory(flags.inventory);
  const target = await operatorTarget(flags, { identify: false });
  const filters: AlertFilters = {
    ...(flags.appliance !== undefined ? { appliance: flags.appliance } : {}),
    ...(flags.check !== undefined ? { check: flags.check } : {}),
    ...(flags.alertState !== undefined ? { states: parseStates(flags.alertState) } : {}),
  };
  let records: AlertRecord[];
  if (alertId === undefined) records = await target.alerts.listOpen();
  else {
    const found = (await target.alerts.get([alertId])).get(alertId);
    if (found === undefined) {
      throw new ConfigError(
        `no alert ${alertId} in ${target.where}: alert ids are as \`check\` and the page print them (<appliance>/<check>)`,
      );
    }
    records = [found];
  }
  const operators = await loadOperatorState(target.operators);
  const maxDays = inv?.alerting.maxSilenceDays ?? DEFAULTS.maxSilenceDays;
  const alerts = listAlerts(records, operators, inv, now, maxDays, filters);
  if (alertId !== undefined) for (const a of alerts) a.finding = records[0]!.finding;
  return { source: target.where, alerts };
}

/** What mutes an alert, in a few words: `sil-1a2b3c4d (alice) until T: reason`. */
function silencedText(a: AlertListing): string {
  const s = a.silenced;
  if (s === null) return '-';
  const by =
    s.source === 'silence' ? `${s.silenceId ?? 'silence'}${s.author ? ` (${s.author})` : ''}` : 'maintenance';
  return `${by} until ${s.until}: ${s.reason}`;
}

function ackText(a: AlertListing): string {
  const k = a.acknowledged;
  return k === null ? '-' : `${k.by} at ${k.at}: ${k.reason}`;
}

/** The readable list. */
export function renderAlerts(doc: AlertsDocument): string {
  if (doc.alerts.length === 0) return `no open alerts in ${doc.source}`;
  const rows = doc.alerts.map((a) => [
    a.id,
    a.severity ?? '-',
    a.undelivered > 0 ? `${a.state}\n(${a.undelivered} undelivered)` : a.state,
    a.since ?? '-',
    a.lastNotifiedAt ?? '-',
    silencedText(a),
    ackText(a),
  ]);
  return [
    table(['alert', 'severity', 'state', 'since', 'last notified', 'silenced', 'acknowledged'], rows),
    `${doc.alerts.length} open alert(s) in ${doc.source}`,
  ].join('\n');
}

/** One finding in full: what, evidence, fix, runbook. */
export function renderFinding(f: Finding): string {
  return [
    `${f.severity.toUpperCase()} ${f.id}: ${f.summary}`,
    '',
    'Evidence:',
    ...f.evidence.map((l) => `  ${l}`),
    '',
    'Fix:',
    ...f.remediation.map((l, i) => `  ${i + 1}. ${l}`),
    '',
    `Runbook: docs/runbook.md#${f.runbook}`,
  ].join('\n');
}

/** One alert in full: its row, then its finding. */
export function renderOneAlert(doc: AlertsDocument): string {
  const a = doc.alerts[0];
  if (a === undefined) return `the alert does not pass the filters (${doc.source})`;
  const lines = [
    `${a.id}: ${a.state}${a.severity ? `, ${a.severity}` : ''} (${doc.source})`,
    `since:          ${a.since ?? '-'}`,
    `last notified:  ${a.lastNotifiedAt ?? '-'}`,
    `silenced:       ${silencedText(a)}`,
    `acknowledged:   ${ackText(a)}`,
    `undelivered:    ${a.undelivered}`,
    '',
  ];
  lines.push(a.finding ? renderFinding(a.finding) : '(no finding kept: the alert is not failing)');
  return lines.join('\n');
}

/** Registers `alerts` on the program. */
export function register(program: Command): void {
  targetOptions(
    program
      .command('alerts')
      .description(
        'List open alerts (local state or the deployed table): severity, state, since, last notification, silence, acknowledgement; with ALERT-ID, that one in full',
      )
      .argument('[alert-id]', 'one alert, with its finding in full (evidence, fix, runbook)')
      .option('--appliance <glob>', "only these appliances ('esa-fra-*'; either end of a path)")
      .option('--check <glob>', "only these checks ('cpq_cert_*')")
      .option(
        '--alert-state <list>',
        `only these states, comma-separated: ${ALERT_STATES.join(', ')} (--state names the state file)`,
      )
      .option(
        '--json',
        'print { source, alerts: [{ id, severity, state, since, lastNotifiedAt, silenced, acknowledged, ... }] }',
      ),
    { writes: false },
  ).action(async (alertId: string | undefined, flags: AlertsFlags) => {
    const doc = await queryAlerts(flags, alertId);
    if (flags.json) printJson(doc, 2);
    else println(alertId === undefined ? renderAlerts(doc) : renderOneAlert(doc));
    process.exitCode = EXIT.ok;
  });
}
