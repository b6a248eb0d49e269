/**
 * `showconfig`: the configuration XML after the password question. A small tolerant reader,
 * not a general XML parser: it takes the elements cpq-monitor needs (listeners with their HAT
 * RELAYLIST and RAT, interfaces, TLS settings, the PVO/CPQ target, hostname, cluster) and
 * copes with terminal-wrapped lines (a break inside a tag or a one-line value is dropped).
 */
import type { CipherSettings, ListenerConfig, RelayList, ShowconfigFacts } from '../types';
import { cliError, outputLines, type ParseOutcome, unparsable } from './common';

/** Parses `showconfig` output. Truncated XML (no closing `</config>`) is unexpected output. */
export function parseShowconfig(raw: string): ParseOutcome<ShowconfigFacts> {
  const text = outputLines(raw).join('\n');
  const start = text.indexOf('<?xml');
  if (start === -1)
    return unparsable(cliError(text.split('\n')) ?? 'no XML ("<?xml ...") in the showconfig output');
  const end = text.lastIndexOf('</config>');
  if (end === -1) return unparsable('the configuration XML is truncated: no closing </config>');
  const xml = unwrapTags(text.slice(start, end + '</config>'.length));
  const body = cut(
    xml,
    spans(xml, /<!--/g, () => '-->'),
  );

  const listeners = blocks(body, 'listener').map(listenerFrom);
  const interfaceBlocks = blocks(body, 'interface');
  const interfaces = interfaceBlocks.map((b) => ({
    name: scalar(b, 'interface_name') ?? '',
    ip: scalar(b, 'ip') ?? '',
    netmask: scalar(b, 'netmask'),
    hostname: scalar(b, 'hostname'),
  }));
  let outside = body;
  for (const tag of ['interface', 'listener'])
    outside = cut(
      outside,
      spans(outside, new RegExp(`<${tag}>`, 'g'), () => `</${tag}>`),
    );

  return {
    ok: true,
    facts: {
      hostname: scalar(outside, 'hostname'),
      listeners,
      interfaces,
      tls: { inbound: tlsSide(outside, 'inbound'), outbound: tlsSide(outside, 'outbound') },
      cpq: cpqTarget(outside),
      cluster: scalar(outside, 'cluster_name') ?? /<cluster\s+name="([^"]+)"/.exec(outside)?.[1] ?? null,
    },
  };
}

/** Removes line breaks that fall inside a tag (`<listen_queue\n_size>`): the terminal's wrapping. */
function unwrapTags(xml: string): string {
  return xml.replace(/<[^<>]*>/g, (tag) => tag.replace(/\n/g, ''));
}

/** One `open ... close` span found by `spans`: the opening match, the text inside, where it lies. */
interface Span {
  open: RegExpExecArray;
  inner: string;
  start: number;
  end: number;
}

/**
 * Every non-nested span from an opening (a global pattern) to the first closing after it, in one
 * pass: what `open([\s\S]*?)close` finds, without its cost. That lazy pattern rescans to the end
 * of the text from every opening left unclosed, so a peer repeating `<!--` or `<listener>` made
 * it quadratic; here a closing found missing once is never searched for again. `close` gives the
 * closing text for an opening; `caseless` compares it ignoring ASCII case.
 */
function spans(xml: string, open: RegExp, close: (m: RegExpExecArray) => string, caseless = false): Span[] {
  const out: Span[] = [];
  const missing = new Set<string>();
  open.lastIndex = 0;
  for (let m = open.exec(xml); m !== null; m = open.exec(xml)) {
    const closing = close(m);
    const key = caseless ? closing.toLowerCase() : closing;
    const from = m.index + m[0].length;
    if (m[0].length === 0) open.lastIndex++;
    if (missing.has(key)) continue;
    let at: number;
    if (caseless) {
      const re = new RegExp(closing.replace(/[^A-Za-z0-9_</>-]/g, '\\$&'), 'gi');
      re.lastIndex = from;
      at = re.exec(xml)?.index ?? -1;
    } else {
      at = xml.indexOf(closing, from);
    }
    if (at === -1) {
      missing.add(key);
      continue;
    }
    out.push({ open: m, inner: xml.slice(from, at), start: m.index, end: at + closing.length });
    open.lastIndex = at + closing.length;
  }
  return out;
}

/** The text with the given spans removed. */
function cut(xml: string, found: Span[]): string {
  if (found.length === 0) return xml;
  const parts: string[] = [];
  let at = 0;
  for (const s of found) {
    parts.push(xml.slice(at, s.start));
    at = s.end;
  }
  parts.push(xml.slice(at));
  return parts.join('');
}

/** Inner text of every non-nested `<tag>...</tag>`. */
function blocks(xml: string, tag: string): string[] {
  // `[^<>]*`, not `[^>]*`: an attribute list never runs past the next tag.
  return spans(xml, new RegExp(`<${tag}(?:\\s[^<>]*)?>`, 'g'), () => `</${tag}>`).map((s) => s.inner);
}

/** Text of the first `<tag>`, entities decoded, wrap breaks removed; null when absent or empty. */
function scalar(xml: string, tag: string): string | null {
  const inner = blocks(xml, tag)[0];
  if (inner === undefined) return null;
  const v = decode(inner).replace(/\n/g, '').trim();
  return v === '' ? null : v;
}

function decode(text: string): string {
  const cdata = spans(text, /<!\[CDATA\[/g, () => ']]>');
  let plain = text;
  if (cdata.length > 0) {
    const parts: string[] = [];
    let at = 0;
    for (const s of cdata) {
      parts.push(text.slice(at, s.start), s.inner);
      at = s.end;
    }
    parts.push(text.slice(at));
    plain = parts.join('');
  }
  return plain
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function listenerFrom(b: string): ListenerConfig {
  const port = Number(scalar(b, 'port'));
  const queue = scalar(b, 'listen_queue_size');
  const hat = blocks(b, 'hat')[0];
  const rat = blocks(b, 'rat')[0];
  return {
    name: scalar(b, 'listener_name') ?? scalar(b, 'name') ?? '',
    protocol: scalar(b, 'protocol') ?? '',
    interface: scalar(b, 'interface_name') ?? '',
    port: Number.isFinite(port) ? port : 0,
    listenQueueSize: queue === null || !/^\d+$/.test(queue) ? null : Number(queue),
    type: scalar(b, 'type'),
    relayList: hat === undefined ? null : relayListFrom(decode(hat)),
    rat: rat === undefined ? [] : ratFrom(rat),
  };
}

/**
 * The RELAYLIST sender group of a HAT in text form: `RELAYLIST:` followed by its entries (one per
 * line or comma separated, possibly on the same line) up to the group's `$POLICY`, a blank line or
 * the next group. Null when the HAT has no RELAYLIST.
 */
export function relayListFrom(hat: string): RelayList | null {
  const lines = hat.split('\n');
  const at = lines.findIndex((l) => /^\s*RELAYLIST\s*:/i.test(l));
  if (at === -1) return null;
  const entries: string[] = [];
  const first = lines[at]!.replace(/^\s*RELAYLIST\s*:/i, '');
  const chunks = [first];
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || /^\s*[A-Za-z_][A-Za-z0-9_-]*\s*:\s*$/.test(l) || /^\S/.test(l)) break;
    chunks.push(l);
  }
  for (const chunk of chunks) {
    for (const token of chunk.split(/[\s,]+/)) {
      if (
        token === '' ||
        token.startsWith('$') ||
        /^(?:ACCEPT|REJECT|RELAY|TCPREFUSE|CONTINUE)\b/i.test(token)
      )
        continue;
      if (token === '{' || token === '}' || token.includes('=')) continue;
      entries.push(token.replace(/[()]/g, ''));
    }
  }
  const networks = entries.filter(
    (e) => e.includes('/') || /^\d+(?:\.\d+){0,2}\.?$/.test(e) || /\d-\d/.test(e) || e.startsWith('.'),
  );
  const hosts = entries.filter((e) => !networks.includes(e));
  return { hosts, networks };
}

function ratFrom(rat: string): Array<{ address: string; access: string }> {
  const out: Array<{ address: string; access: string }> = [];
  const entries = blocks(rat, 'rat_entry');
  for (const e of entries.length > 0 ? entries : [rat]) {
    const addresses = blocks(e, 'rat_address').map((a) => decode(a).trim());
    const access = blocks(e, 'access').map((a) => decode(a).trim());
    addresses.forEach((address, i) => {
      out.push({ address, access: access[i] ?? access[0] ?? '' });
    });
  }
  if (out.length === 0) {
    // Text form: `ALL  ACCEPT` per line.
    for (const line of decode(rat).split('\n')) {
      const m = /^\s*(\S+)\s+(ACCEPT|REJECT|RELAY)\b/i.exec(line);
      if (m) out.push({ address: m[1]!, access: m[2]!.toUpperCase() });
    }
  }
  return out;
}

/** Inbound or outbound TLS method and cipher list, from tags such as `<ssl_outbound_ciphers>`. */
function tlsSide(xml: string, side: 'inbound' | 'outbound'): CipherSettings {
  const tags = spans(xml, /<([a-z_]*(?:inbound|outbound)[a-z_]*)>/gi, (m) => `</${m[1]}>`, true);
  const pick = (what: RegExp) => {
    const m = tags.find(
      (t) =>
        t.open[1]!.toLowerCase().includes(side) && what.test(t.open[1]!) && !/gui|https/i.test(t.open[1]!),
    );
    if (m === undefined) return null;
    const v = decode(m.inner).replace(/\n/g, '').trim();
    return v === '' ? null : v;
  };
  return { methods: pick(/method/i), ciphers: pick(/cipher/i) };
}

/** The PVO/CPQ target of an ESA: host, port, interface, enabled. Null when not configured. */
function cpqTarget(xml: string): ShowconfigFacts['cpq'] {
  const block = spans(xml, /<((?:centralized_)?(?:pvo|cpq)[a-z_]*)>/gi, (m) => `</${m[1]}>`, true).find((m) =>
    /<[a-z_]*(?:host|address)[a-z_]*>/i.test(m.inner),
  );
  if (block === undefined) return null;
  const inner = block.inner;
  const child = (re: RegExp) => {
    const m = [...inner.matchAll(/<([a-z_]+)>([^<]*)<\/\1>/gi)].find((c) => re.test(c[1]!));
    return m === undefined ? null : decode(m[2]!).replace(/\n/g, '').trim() || null;
  };
  const port = child(/port/i);
  const enabled = child(/enable/i);
  return {
    enabled: enabled === null ? null : /^(?:1|yes|true|on|enabled)$/i.test(enabled),
    host: child(/host|address/i),
    port: port !== null && /^\d+$/.test(port) ? Number(port) : null,
    interface: child(/interface/i),
  };
}
