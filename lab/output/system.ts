/** The appliance as a whole: login banner, prompt, `version` and `status` (ESA and SMA layouts). */
import { type ApplianceState, systemStatusText } from '../appliance-state';
import { age, asctime, label, productName, row } from './format';

/** The CLI prompt: `host> `, or `(Machine host)> ` on a cluster member. */
export function promptFor(state: ApplianceState): string {
  return state.cluster === null ? `${state.hostname}> ` : `(Machine ${state.hostname})> `;
}

/** Login banner. */
export function bannerText(state: ApplianceState): string {
  return `\nLast login: ${asctime(new Date(Date.UTC(2026, 10, 27, 6, 1, 9)))} from 10.10.20.1\nCopyright (c) 2001-2026, Cisco Systems, Inc. and/or its affiliates. All rights reserved.\nAsyncOS ${state.version} for Cisco ${state.model} build 620\n\nWelcome to the Cisco ${state.model} ${productName(state)}\n\n`;
}

/** `version`. */
export function versionText(state: ApplianceState): string {
  return [
    '',
    'Current Version',
    '===============',
    `Product: Cisco ${state.model} ${productName(state)}`,
    `Model: ${state.model}`,
    `Version: ${state.version}`,
    'Build Date: 2026-03-14',
    'Install Date: 2026-04-02 09:12:44',
    `Serial #: ${state.serial}`,
    'BIOS: C240M5.4.1.3c.0',
    'CPUs: 8 expected, 8 allocated',
    'Memory: 16384 MB expected, 16384 MB allocated',
    'Hard disk: 500 GB, or 1024 GB expected; 1024 GB allocated',
    'RAID: NA',
    '',
  ].join('\n');
}

/** `status` or `status detail`, ESA or SMA layout. */
export function statusText(state: ApplianceState, detail: boolean, now = new Date()): string {
  return state.role === 'sma' ? smaStatusText(state, now) : esaStatusText(state, detail, now);
}

const COUNTERS_HEADER = `${'Counters:'.padEnd(34)}${'Reset'.padStart(12)}${'Uptime'.padStart(12)}${'Lifetime'.padStart(12)}`;
const GAUGES_HEADER = `${'Gauges:'.padEnd(34)}${'Current'.padStart(12)}`;

/** `12d 3h 4m 5s` since the appliance came up. */
function uptimeText(state: ApplianceState, now: Date): string {
  const uptime = Math.max(0, Math.floor((now.getTime() - state.upSince.getTime()) / 1000));
  const d = Math.floor(uptime / 86400);
  const h = Math.floor((uptime % 86400) / 3600);
  const m = Math.floor((uptime % 3600) / 60);
  return `${d}d ${h}h ${m}m ${uptime % 60}s`;
}

/** The SMA's `status`: its services and the quarantine's counters. */
function smaStatusText(state: ApplianceState, now: Date): string {
  const uptime = uptimeText(state, now);
  const cpq = state.queues[0]!;
  const delivered = [cpq.deliveredRecipients, cpq.deliveredRecipients, cpq.deliveredRecipients];
  return [
    '',
    `${label('Status as of:')}${asctime(now)} UTC`,
    `${label('Up since:')}${asctime(state.upSince)} (${uptime})`,
    `${label('Appliance available from:')}${asctime(state.upSince)} UTC`,
    `${label('System Uptime:')}${uptime}`,
    `${label('Last counter reset:')}Never`,
    `${label('System status:')}${systemStatusText(state)}`,
    `${label('Oldest Message:')}${state.oldestMessage === null ? 'No Messages' : asctime(state.oldestMessage)}`,
    '',
    'Services:',
    ...Object.entries(state.services).map(([name, st]) => `  ${name.padEnd(40)}${st}`),
    '',
    COUNTERS_HEADER,
    '  Receiving',
    row('    Messages Received', delivered),
    '  Completion',
    row('    Released Messages', delivered),
    '',
    GAUGES_HEADER,
    '  Queue',
    row('    Active Recipients', [cpq.activeRecipients]),
    '  Quarantine',
    '    Messages In Quarantine',
    row('      Policy, Virus and Outbreak', [state.pvoQuarantineMessages]),
    '',
  ].join('\n');
}

/** The ESA's `status` (`status detail` adds the rates): counters, connections, queue and quarantine. */
function esaStatusText(state: ApplianceState, detail: boolean, now: Date): string {
  const { counters } = state;
  return [
    '',
    'Enter "status detail" for more information.',
    '',
    `${label('Status as of:')}${asctime(now)} UTC`,
    `${label('Up since:')}${asctime(state.upSince)} (${uptimeText(state, now)})`,
    `${label('Last counter reset:')}Never`,
    `${label('System status:')}${systemStatusText(state)}`,
    `${label('Oldest Message:')}${state.oldestMessage === null ? 'No Messages' : age(now.getTime() - state.oldestMessage.getTime())}`,
    `${label('Feature - IronPort Anti-Spam:')}1127 days`,
    `${label('Feature - Centralized Quarantine:')}1127 days`,
    '',
    COUNTERS_HEADER,
    '  Receiving',
    row('    Messages Received', [counters.received, 290_920, counters.received]),
    row('    Recipients Received', [counters.received + 1, 290_920, counters.received + 1]),
    '  Rejection',
    row('    Rejected Recipients', [counters.hardBounced, 11_921, counters.hardBounced]),
    row('    Dropped Messages', [11_606_037, 219, 11_606_037]),
    '  Queue',
    row('    Soft Bounced Events', [counters.softBounced, 13_598, counters.softBounced]),
    '  Completion',
    row('    Completed Recipients', [counters.delivered, 332_625, counters.delivered]),
    '  Current IDs',
    row('    Message ID (MID)', [99_524_480]),
    row('    Injection Conn. ID (ICID)', [51_180_368]),
    row('    Delivery Conn. ID (DCID)', [17_550_674]),
    ...(detail ? ESA_RATES : []),
    '',
    GAUGES_HEADER,
    '  Connections',
    row('    Current Inbound Conn.', [0]),
    row('    Current Outbound Conn.', [state.queues.reduce((sum, q) => sum + q.connectionsOut, 0)]),
    '  Queue',
    row('    Active Recipients', [state.queues.reduce((sum, q) => sum + q.activeRecipients, 0)]),
    row('    Messages In Work Queue', [state.workQueue]),
    row('    Kilobytes Used', [473]),
    row('    Kilobytes Free', [71_303_207]),
    '  Quarantine',
    '    Messages In Quarantine',
    row('      Policy, Virus and Outbreak', [state.pvoQuarantineMessages]),
    row('    Kilobytes In Quarantine', [0]),
    '',
  ].join('\n');
}

/** The rates block `status detail` adds. */
const ESA_RATES = [
  '',
  `${'Rates (Events Per Hour):'.padEnd(34)}${'1-Minute'.padStart(12)}${'5-Minutes'.padStart(12)}${'15-Minutes'.padStart(12)}`,
  '  Receiving',
  row('    Messages Received', [180, 300, 276]),
  row('    Recipients Received', [180, 300, 276]),
  '  Delivery',
  row('    Delivered Recipients', [120, 240, 252]),
];
