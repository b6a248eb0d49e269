/** The delivery queues: `tophosts` (with its sort menu) and `hoststatus HOST`. */
import type { ApplianceState } from '../appliance-state';
import { asctime, thousands } from './format';
import type { Step } from './steps';

const SORT_MENU = [
  'Sort results by:',
  '',
  '1. Active Recipients',
  '2. Connections Out',
  '3. Delivered Recipients',
  '4. Hard Bounced Recipients',
  '5. Soft Bounced Events',
].join('\n');
const SORT_KEYS: Record<string, keyof Omit<ApplianceState['queues'][number], 'host' | 'down'>> = {
  '1': 'activeRecipients',
  '2': 'connectionsOut',
  '3': 'deliveredRecipients',
  '4': 'hardBounced',
  '5': 'softBounced',
  active_rcpts: 'activeRecipients',
  conn_out: 'connectionsOut',
  deliv_rcpts: 'deliveredRecipients',
  hard_bounced: 'hardBounced',
  soft_bounced: 'softBounced',
};

/** `tophosts` table for a sort key; rows whose host is longer than the column wrap at 80 columns. */
export function tophostsText(state: ApplianceState, sort: string, now = new Date()): string {
  const key = SORT_KEYS[sort] ?? 'activeRecipients';
  const rows = [...state.queues].sort((a, b) => b[key] - a[key]);
  const lines = [
    '',
    `Status as of:                       ${asctime(now)} UTC`,
    "Hosts marked with '*' were down as of the last delivery attempt.",
    '                                      Active   Conn.   Deliv.     Soft     Hard',
    '#  Recipient Host                     Recip.    Out    Recip.  Bounced  Bounced',
  ];
  rows.forEach((q, i) => {
    const rank = `${i + 1}${q.down ? '*' : ' '}`.padEnd(3);
    const numbers = `${thousands(q.activeRecipients).padStart(7)}${thousands(q.connectionsOut).padStart(7)}${thousands(q.deliveredRecipients).padStart(10)}${thousands(q.softBounced).padStart(9)}${thousands(q.hardBounced).padStart(9)}`;
    if (q.host.length > 32) lines.push(`${rank}${q.host}`, `${' '.repeat(35)}${numbers}`);
    else lines.push(`${rank}${q.host.padEnd(32)}${numbers}`);
  });
  lines.push('');
  return lines.join('\n');
}

/** Steps of `tophosts [sort]`: the sort menu when no argument is given. */
export function tophostsSteps(state: ApplianceState, arg: string): Step[] {
  if (arg !== '') {
    if (!(arg in SORT_KEYS)) return [{ out: `\nInvalid argument: ${arg}\n` }];
    return [{ out: tophostsText(state, arg) }];
  }
  return [
    { out: `\n${SORT_MENU}\n` },
    { ask: '[1]> ', next: (a) => [{ out: tophostsText(state, a === '' ? '1' : a) }] },
  ];
}

/** `hoststatus HOST`. */
export function hoststatusText(state: ApplianceState, host: string, now = new Date()): string {
  const q = state.queues.find((x) => x.host === host);
  return [
    '',
    `Host mail status for: '${host}'`,
    `Status as of:        ${asctime(now)} UTC`,
    `Host up/down:        ${q === undefined ? 'unknown' : q.down ? 'down' : 'up'}`,
    '',
    'Counters:',
    `  Queue`,
    `    Soft Bounced Events                    ${thousands(q?.softBounced ?? 0)}`,
    '  Completion',
    `    Completed Recipients                   ${thousands(q?.deliveredRecipients ?? 0)}`,
    `    Hard Bounced Recipients                ${thousands(q?.hardBounced ?? 0)}`,
    'Gauges:',
    `  Active Recipients                        ${thousands(q?.activeRecipients ?? 0)}`,
    `  Connections Out                          ${thousands(q?.connectionsOut ?? 0)}`,
    '',
  ].join('\n');
}
