/**
 * The read-only commands an SSH cycle sends to each appliance, as data. Pure; apart from the
 * probe plan (plan.ts) because it takes the reader's allow-list, which the probe function's
 * bundle must not hold.
 */
import { commandLine } from '../asyncos/allowlist';
import type { CommandRequest } from '../asyncos/types';
import type { Appliance, Inventory } from '../inventory/schema';
import { cpqPortsOf } from '../inventory/topology';

/** Whether the reader's allow-list takes `pattern` for a mail_logs grep (it bounds the length). */
function readerAccepts(pattern: string): boolean {
  return commandLine({ name: 'grep', arg: pattern, log: 'mail_logs' }).allowed;
}

/**
 * The mail_logs pattern: CPQ connections (by port), TLS failures, connection errors, quarantine
 * deliveries and application faults. Narrow on purpose: grep reads the whole current log. Within
 * the length the reader accepts: quarantine deliveries are also matched by DCID through the port
 * line, so their own words go first when room runs out, then ports beyond the appliance's own.
 */
export function mailLogPattern(a: Appliance, inv?: Inventory): string {
  const words = [
    'CPQ ICID',
    'TLS failed',
    'TLS was required',
    'Connection Error',
    'pplication (fault|error)',
  ];
  const own = a.cpqPort;
  const others = cpqPortsOf(a, inv).filter((p) => p !== own);
  const build = (ports: number[], extra: string[]) => {
    const all = [own, ...ports].sort((x, y) => x - y);
    const port = all.length === 1 ? `port ${all[0]}` : `port (${all.join('|')})`;
    return [port, ...words, ...extra].join('|');
  };
  const full = build(others, ['Centralized Policy Quarantine']);
  if (readerAccepts(full)) return full;
  let ports = others;
  while (ports.length > 0 && !readerAccepts(build(ports, []))) ports = ports.slice(0, -1);
  return build(ports, []);
}

/** The read-only commands of an SSH cycle for one appliance. */
export function planCommands(a: Appliance, inv?: Inventory): CommandRequest[] {
  return [
    { name: 'status' },
    { name: 'tophosts', arg: 'active_rcpts' },
    { name: 'showconfig' },
    { name: 'sslconfig' },
    { name: 'grep', arg: mailLogPattern(a, inv), log: 'mail_logs' },
  ];
}
