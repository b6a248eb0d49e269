/**
 * Does a HAT RELAYLIST admit a peer? AsyncOS sender-group entries: single addresses, CIDR
 * networks, ranges (`10.1.2.3-10`), partial addresses (`10.1.2.`), host names, partial domains
 * (`.example.com`) and `ALL`. Pure: no DNS lookups (a name matches only a name).
 */
import { BlockList, isIP } from 'node:net';
import type { RelayList } from '../asyncos/types';

function family(ip: string): 'ipv4' | 'ipv6' {
  return isIP(ip) === 6 ? 'ipv6' : 'ipv4';
}

/** True when `entry` (one RELAYLIST entry as written) admits `peer` (an address or a host name). */
export function relayEntryMatches(entry: string, peer: string): boolean {
  const e = entry.trim().toLowerCase();
  const p = peer.trim().toLowerCase().replace(/\.$/, '');
  if (e === '' || p === '') return false;
  if (e === 'all') return true;
  const peerIp = isIP(p) !== 0;
  if (!peerIp) {
    // Names: exact, or a partial domain `.example.com` matching its sub-domains.
    if (e.startsWith('.')) return p.endsWith(e);
    return e.replace(/\.$/, '') === p;
  }
  if (isIP(e) !== 0) return isIP(e) === isIP(p) && single(e).check(p, family(p));
  const slash = e.split('/');
  if (slash.length === 2 && isIP(slash[0]!) !== 0 && /^\d+$/.test(slash[1]!)) {
    const list = new BlockList();
    try {
      list.addSubnet(slash[0]!, Number(slash[1]), family(slash[0]!));
    } catch {
      return false;
    }
    return isIP(slash[0]!) === isIP(p) && list.check(p, family(p));
  }
  const range = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(e);
  if (range && isIP(p) === 4) {
    const last = Number(p.split('.')[3]);
    return p.startsWith(range[1]!) && last >= Number(range[2]) && last <= Number(range[3]);
  }
  // Partial address: `10.1.2.` or `10.1.2` covers that prefix (IPv4 only).
  if (/^\d+(\.\d+){0,3}\.?$/.test(e) && isIP(p) === 4) {
    const prefix = e.endsWith('.') ? e : `${e}.`;
    return p.startsWith(prefix);
  }
  return false;
}

function single(ip: string): BlockList {
  const list = new BlockList();
  list.addAddress(ip, family(ip));
  return list;
}

/** The first RELAYLIST entry that admits one of the peer's addresses or names, or null. */
export function relayListAdmits(list: RelayList, peers: readonly string[]): string | null {
  for (const entry of [...list.hosts, ...list.networks]) {
    if (peers.some((p) => relayEntryMatches(entry, p))) return entry;
  }
  return null;
}
