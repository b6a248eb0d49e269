/**
 * `tophosts`: `Status as of:`, the down-marker note, a two-line header, then rows
 * `rank[*] host active conn.out delivered soft hard`. Rows wrapped at 80 columns are joined.
 */
import type { TophostsFacts, TophostsRow } from '../types';
import {
  cliError,
  outputLines,
  type ParseOptions,
  type ParseOutcome,
  parseCount,
  tabular,
  unparsable,
} from './common';

const NUMBER = /^[\d,]+$/;
const ROW_START = /^\s*(\d+)\s*(\*)?\s*([^\s*][^\s]*)((?:\s+[\d,]+)*)\s*$/;
const DEFAULT_CPQ_QUEUE = 'the.cpq.host';
const DEFAULT_RELEASE_QUEUE = 'the.cpq.release.host';

/** Parses `tophosts` output; picks out the CPQ queues by their configured names (case-insensitive). */
export function parseTophosts(raw: string, opts: ParseOptions = {}): ParseOutcome<TophostsFacts> {
  const lines = outputLines(raw);
  const asOfLine = lines.find((l) => /^\s*Status as of:/.test(l));
  const headerIndex = lines.findIndex(
    (l) => /^\s*#\s+Recipient\s+Host/i.test(l) || /Recipient Host\s+Recip/i.test(l),
  );
  if (headerIndex === -1) {
    return unparsable(cliError(lines) ?? 'no tophosts table header ("# Recipient Host ...") in the output');
  }
  const rows: TophostsRow[] = [];
  const broken: string[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    // A header wrapped at 80 columns leaves its last words ("Hard", "Bounced") on lines of their own.
    if (!/\d/.test(line)) continue;
    const m = ROW_START.exec(line);
    if (!m) {
      broken.push(line.trim());
      continue;
    }
    const numbers = m[4]!.trim() === '' ? [] : m[4]!.trim().split(/\s+/);
    // A wrapped row continues on lines that hold only numbers.
    while (numbers.length < 5 && i + 1 < lines.length) {
      const next = lines[i + 1]!.trim().split(/\s+/);
      if (lines[i + 1]!.trim() === '' || !next.every((t) => NUMBER.test(t))) break;
      numbers.push(...next);
      i++;
    }
    if (numbers.length !== 5) {
      broken.push(line.trim());
      continue;
    }
    const [active, connOut, delivered, soft, hard] = numbers.map((n) => parseCount(n)!);
    rows.push({
      rank: Number(m[1]),
      host: m[3]!,
      down: m[2] === '*',
      activeRecipients: active!,
      connectionsOut: connOut!,
      deliveredRecipients: delivered!,
      softBounced: soft!,
      hardBounced: hard!,
    });
  }
  const pick = (name: string) => rows.find((r) => r.host.toLowerCase() === name.toLowerCase()) ?? null;
  return tabular(
    {
      statusAsOf: asOfLine === undefined ? null : asOfLine.replace(/^\s*Status as of:\s*/, '').trim() || null,
      rows,
      cpqQueue: pick(opts.cpqQueueName ?? DEFAULT_CPQ_QUEUE),
      releaseQueue: pick(opts.releaseQueueName ?? DEFAULT_RELEASE_QUEUE),
      unparsedRows: broken,
    },
    'tophosts',
  );
}
