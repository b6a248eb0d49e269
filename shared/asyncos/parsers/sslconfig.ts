/**
 * `sslconfig`: inbound/outbound SMTP methods and cipher lists, in the one-line layout of older
 * releases (`Inbound SMTP ssl cipher: RC4-SHA:ALL`) and the indented list of newer ones.
 * Judges whether the outbound list can negotiate an aNULL suite: docs/domain.md#the-anonymous-cipher-failure.
 */
import { cipherListAllowsAnonymous } from '../../tls/ciphers';
import type { CipherSettings, SslconfigFacts } from '../types';
import { cliError, outputLines, type ParseOutcome, unparsable } from './common';

const LABEL =
  /^\s*(GUI HTTPS|Inbound SMTP|Outbound SMTP|Other TLS Client Services|[A-Za-z][A-Za-z ]*?)\s+(?:ssl\s+)?(method|ciphers?)\s*:\s*(.*)$/i;

/** Parses `sslconfig` output (the listing printed before its menu). */
export function parseSslconfig(raw: string): ParseOutcome<SslconfigFacts> {
  const lines = outputLines(raw);
  const found = new Map<string, { methods: string | null; ciphers: string | null }>();
  let collecting: { key: string; parts: string[] } | null = null;
  const flush = () => {
    if (collecting === null) return;
    const entry = found.get(collecting.key)!;
    entry.ciphers = collecting.parts.length > 0 ? collecting.parts.join(':') : entry.ciphers;
    collecting = null;
  };
  for (const line of lines) {
    const m = LABEL.exec(line);
    if (m) {
      flush();
      const key = m[1]!.toLowerCase().replace(/\s+/g, ' ');
      if (!found.has(key)) found.set(key, { methods: null, ciphers: null });
      const entry = found.get(key)!;
      const value = m[3]!.trim();
      if (/^method$/i.test(m[2]!)) entry.methods = value === '' ? null : value;
      else if (value !== '') entry.ciphers = value;
      else collecting = { key, parts: [] };
      continue;
    }
    if (collecting !== null) {
      const t = line.trim();
      // The indented list ends at a blank line or the menu.
      if (t === '' || /^Choose the operation|^- [A-Z_]+ -|^\[.*\]>/.test(t)) flush();
      else (collecting as { parts: string[] }).parts.push(t);
    }
  }
  flush();
  const inbound = found.get('inbound smtp');
  const outbound = found.get('outbound smtp');
  if (inbound === undefined && outbound === undefined) {
    return unparsable(
      cliError(lines) ?? 'no "Inbound SMTP" or "Outbound SMTP" settings in the sslconfig output',
    );
  }
  const out: CipherSettings = outbound ?? { methods: null, ciphers: null };
  const judgement = judgeAnonymous(out.ciphers);
  return {
    ok: true,
    facts: {
      inbound: inbound ?? { methods: null, ciphers: null },
      outbound: out,
      outboundAllowsAnonymous: judgement.allows,
      anonymousReason: judgement.reason,
    },
  };
}

/**
 * Whether an outbound list can negotiate an anonymous suite: the OpenSSL walk of shared/tls
 * (`!aNULL` for good, `-aNULL` until re-added, `ALL`/`HIGH`/... and explicit ADH/AECDH add them).
 * An absent list is not judged (false, no reason).
 */
export function judgeAnonymous(ciphers: string | null): { allows: boolean; reason: string | null } {
  if (ciphers === null || ciphers.trim() === '') return { allows: false, reason: null };
  const verdict = cipherListAllowsAnonymous(ciphers);
  return { allows: verdict.allowsAnonymous, reason: verdict.reason };
}
