/**
 * The inventory file `cpq-monitor init` writes: YAML whose every discovered value carries a comment
 * saying where it came from, a header listing what could not be determined (and the field to fill
 * in), and never a secret (credentials are references). Also reads back the certificate
 * fingerprints recorded in those comments, for `init --check`.
 */
import { Document, isMap, isScalar, isSeq, type Pair, parseDocument, type YAMLMap } from 'yaml';
import { parseInventoryText } from '../inventory/load';
import { oneLine } from '../text';
import type { DiscoveredAppliance, Discovery } from './discover';

/** Marker of the comment that records an unpinned certificate (read back by `init --check`). */
export const CERTIFICATE_COMMENT = 'CPQ certificate SHA-256 seen at init:';

/** One comment line: printable (no escapes, no line breaks a peer could forge lines with). */
function line(text: string): string {
  return ` ${oneLine(text)}`;
}

function lines(texts: string[]): string {
  return texts.map(line).join('\n');
}

/** The inventory entry of one appliance, as a plain object in the schema's key order. */
function entryOf(a: DiscoveredAppliance): Record<string, unknown> {
  return {
    name: a.name,
    role: a.role,
    host: a.host,
    cpqPort: a.cpqPort,
    ...(a.cluster !== undefined ? { cluster: a.cluster } : {}),
    ...(a.quarantine !== undefined ? { quarantine: a.quarantine } : {}),
    ssh: a.ssh,
    ...(a.tls !== undefined ? { tls: a.tls } : {}),
  };
}

function pair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function commentKey(map: YAMLMap, key: string, text: string | undefined): void {
  const p = pair(map, key);
  if (p === undefined || text === undefined || !isScalar(p.key)) return;
  p.key.commentBefore = line(text);
}

/** Header lines: what was generated, what is left to do. */
function header(d: Discovery, generatedAt: string): string[] {
  const out = [
    `Written by cpq-monitor init on ${generatedAt} from what the appliances themselves reported.`,
    'Each value carries a comment saying where it came from. No secret is written here: credentials',
    'are references (an environment variable, a key file or a Secrets Manager secret id).',
    'Monitor, alerting, TLS and deploy settings take their defaults: see config/example.yaml.',
  ];
  if (d.unresolved.length > 0) {
    out.push('', 'TO FILL IN BY HAND (init could not determine these):');
    for (const u of d.unresolved) out.push(`- ${u.appliance}: ${u.field}: ${u.why}`);
  }
  if (d.unread.length > 0) {
    out.push('', 'NOT IN THIS FILE (not read):');
    for (const u of d.unread) out.push(`- ${u.host}:${u.port}: ${u.code}: ${u.message}`);
  }
  if (d.notes.length > 0) {
    out.push('', 'NOTES:');
    for (const n of d.notes) out.push(`- ${n.appliance}: ${n.text}`);
  }
  return out;
}

/** The YAML text of the discovered inventory; throws if it would not pass the schema (a bug). */
export function inventoryYaml(d: Discovery, generatedAt: string, source = 'init'): string {
  if (d.appliances.length === 0) throw new Error('no appliance was discovered: nothing to write');
  const doc = new Document({ version: 1, appliances: d.appliances.map(entryOf) });
  doc.commentBefore = lines(header(d, generatedAt));
  const seq = doc.get('appliances', true);
  if (!isSeq(seq)) throw new Error('appliances is not a sequence');
  d.appliances.forEach((a, i) => {
    const map = seq.items[i];
    if (!isMap(map)) return;
    const f = a.facts;
    const what = [
      `${a.name}: ${a.role.toUpperCase()}`,
      f.model ? `model ${f.model}` : '',
      f.version ? `AsyncOS ${f.version}` : '',
      f.hostname ? `hostname ${f.hostname}` : '',
    ].filter((s) => s !== '');
    const about = [what.join(', '), `name from ${a.sources.name}`];
    if (f.outboundCiphers !== null)
      about.push(
        `outbound TLS ciphers (sslconfig): ${f.outboundCiphers}${f.outboundAllowsAnonymous ? ' (allows anonymous suites!)' : ''}; the monitor reads them each SSH cycle`,
      );
    if (f.banner !== null) about.push(`CPQ greeting: ${f.banner}`);
    map.commentBefore = lines(about);
    commentKey(map, 'role', a.sources.role);
    commentKey(map, 'host', a.sources.host);
    const cert =
      f.certificate === null
        ? `no certificate seen by the probe${f.probe ? ` (${f.probe.code})` : ''}`
        : a.tls === undefined
          ? `${CERTIFICATE_COMMENT} ${f.certificate} (not pinned; to pin it: tls: { pins: [${f.certificate}] })`
          : undefined;
    const portComment = [a.sources.cpqPort, cert].filter((s): s is string => s !== undefined);
    const p = pair(map, 'cpqPort');
    if (p !== undefined && isScalar(p.key)) p.key.commentBefore = lines(portComment);
    commentKey(map, 'cluster', a.sources.cluster);
    commentKey(map, 'quarantine', a.sources.quarantine);
    commentKey(map, 'tls', a.sources['tls.pins']);
    const quarantine = map.get('quarantine', true);
    if (isMap(quarantine)) quarantine.flow = true;
    const ssh = map.get('ssh', true);
    if (isMap(ssh)) {
      commentKey(ssh, 'hostKeys', a.sources['ssh.hostKeys']);
      commentKey(ssh, 'credentials', a.sources['ssh.credentials']);
      for (const key of ['hostKeys', 'credentials']) {
        const node = ssh.get(key, true);
        if (isMap(node) || isSeq(node)) node.flow = true;
      }
    }
  });
  const text = doc.toString({ lineWidth: 0 });
  // The file must load exactly as the monitor will load it.
  parseInventoryText(text, source);
  return text;
}

/** Appliance name → certificate fingerprint recorded by init in a comment (unpinned certificates). */
export function recordedCertificates(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const doc = parseDocument(text);
  const seq = doc.get('appliances', true);
  if (!isSeq(seq)) return out;
  for (const item of seq.items) {
    if (!isMap(item) || item.range == null) continue;
    const name = item.get('name');
    const span = text.slice(item.range[0], item.range[2]);
    const m = new RegExp(`${CERTIFICATE_COMMENT}\\s+((?:[0-9A-F]{2}:){31}[0-9A-F]{2})`, 'i').exec(span);
    if (typeof name === 'string' && m) out.set(name, m[1]!.toUpperCase());
  }
  return out;
}
