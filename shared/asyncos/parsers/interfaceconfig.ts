/**
 * `interfaceconfig`: the listing `N. Name (IP/prefix on Port: hostname)` before its menu;
 * in cluster mode the machine the listing belongs to.
 */
import { isIPv4 } from 'node:net';
import type { InterfaceConfig, InterfaceconfigFacts } from '../types';
import { cliError, listingEntry, outputLines, type ParseOutcome, tabular, unparsable } from './common';

const ENTRY =
  /^\s*(\d+)\.\s+(.+?)\s+\(([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?\s+on\s+([^:)]+?)(?::\s*([^)]*?))?\)\s*$/;
const START = /^\s*\d+\.\s+\S/;

/** Dotted netmask from an IPv4 prefix length; `/n` kept for IPv6. */
export function netmaskFromPrefix(ip: string, prefix: string | undefined): string | null {
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  if (!isIPv4(ip)) return `/${bits}`;
  if (bits > 32) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join('.');
}

/** Parses the interface listing. */
export function parseInterfaceconfig(raw: string): ParseOutcome<InterfaceconfigFacts> {
  const lines = outputLines(raw);
  const interfaces: InterfaceConfig[] = [];
  const broken: string[] = [];
  let machine: string | null = null;
  let sawListing = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const mm = /(?:^|\()Machine\s+([A-Za-z0-9._-]+)\)?/.exec(line);
    if (mm && machine === null) machine = mm[1]!;
    if (/Currently configured interfaces/i.test(line)) {
      sawListing = true;
      continue;
    }
    if (!sawListing || !START.test(line) || /^\s*\d+\.\s+-/.test(line)) continue;
    const { match: m, last } = listingEntry(lines, i, { start: START, entry: ENTRY }, broken);
    i = last;
    if (m === null) continue;
    const hostname = m[6]?.trim();
    interfaces.push({
      name: m[2]!.trim(),
      ip: m[3]!,
      netmask: netmaskFromPrefix(m[3]!, m[4]),
      hostname: hostname === undefined || hostname === '' ? null : hostname,
    });
  }
  if (!sawListing)
    return unparsable(cliError(lines) ?? 'no "Currently configured interfaces:" listing in the output');
  return tabular({ interfaces, machine, unparsedRows: broken }, 'interface');
}
