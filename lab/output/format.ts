/** The AsyncOS CLI's ways of writing times, numbers and aligned label/value lines. */
import type { ApplianceState } from '../appliance-state';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Fri Sep  6 15:08:02 2013`: the appliance's timestamp (UTC here), day space-padded. */
export function asctime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** A number with thousands separators, as the CLI prints counters. */
export const thousands = (v: number) => v.toLocaleString('en-US');
/** A label padded to the CLI's value column. */
export const label = (text: string, width = 31) => `${text.padEnd(width)}`;

/** A counter line: its label, then each value right-aligned in a 12-character column. */
export function row(text: string, values: number[]): string {
  return `${text.padEnd(34)}${values.map((v) => thousands(v).padStart(12)).join('')}`;
}

/** `4h 46m 53s`: how the CLI shows the age of the oldest message. */
export function age(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(t / 86400);
  return `${d > 0 ? `${d}d ` : ''}${Math.floor((t % 86400) / 3600)}h ${Math.floor((t % 3600) / 60)}m ${t % 60}s`;
}

/** `Email Security Appliance` or `Security Management Appliance`: the product in banners and headers. */
export function productName(state: ApplianceState): string {
  return state.role === 'esa' ? 'Email Security Appliance' : 'Security Management Appliance';
}
