/**
 * The operators' documents checked on read, entry by entry: whoever wrote them (an operator's
 * command, a hand edit of the state file, a direct PutItem with the operators' policy), a bad
 * entry is dropped and named, never handed to the cycle, so one malformed entry can neither stop
 * paging nor hide the good entries beside it (docs/alerts.md#who-may-use-them).
 */
import { z } from 'zod';
import type { OperatorDoc, OperatorDocs, OperatorKind } from './store';

const text = z.string();

/** One stored silence (shared/alerts/silences.ts); pattern rules are checked later, when honoured. */
const SILENCE = z.object({
  id: text,
  appliance: text,
  check: text.optional(),
  createdAt: text,
  endsAt: text,
  reason: text,
  author: text,
});

/** One stored acknowledgement (shared/alerts/acks.ts). */
const ACK = z.object({
  alertId: text,
  since: text,
  severity: z.enum(['critical', 'warning', 'info']),
  reason: text,
  author: text,
  at: text,
});

const ENTRY: { [K in OperatorKind]: z.ZodType<OperatorDocs[K]> } = {
  silences: SILENCE as z.ZodType<OperatorDocs['silences']>,
  acks: ACK as z.ZodType<OperatorDocs['acks']>,
};

/** Most entries read from one document: more than the commands ever keep (MAX_SILENCES, MAX_ACKS). */
const MAX_ENTRIES = 1000;
/** Most problems named per document (the rest are counted in one line). */
const MAX_NAMED = 10;

/** A document as read: its valid entries, and one problem per entry or document refused. */
export interface CheckedDoc<T> extends OperatorDoc<T> {
  /** What was dropped and why, for the cycle's problems. */
  problems: string[];
  /** How many entries were dropped (a document that is not one counts as one). */
  dropped: number;
}

/** The stored document `raw` (undefined: never written) of `kind` in `where`, checked. */
export function checkOperatorDoc<K extends OperatorKind>(
  kind: K,
  raw: unknown,
  where: string,
): CheckedDoc<OperatorDocs[K]> {
  if (raw === undefined) return { version: 0, items: [], problems: [], dropped: 0 };
  const doc = (typeof raw === 'object' && raw !== null ? raw : {}) as { version?: unknown; items?: unknown };
  const version =
    Number.isSafeInteger(doc.version) && (doc.version as number) >= 0 ? (doc.version as number) : 0;
  if (!Array.isArray(doc.items)) {
    const problem = `the ${kind} document in ${where} is dropped: its items is not a list (${describe(doc.items)})`;
    return { version, items: [], problems: [problem], dropped: 1 };
  }
  const items: OperatorDocs[K][] = [];
  const named: string[] = [];
  let dropped = 0;
  doc.items.forEach((entry, i) => {
    const parsed = i < MAX_ENTRIES ? ENTRY[kind].safeParse(entry) : undefined;
    if (parsed?.success) {
      items.push(parsed.data);
      return;
    }
    dropped++;
    if (named.length >= MAX_NAMED) return;
    const why = parsed === undefined ? `past the first ${MAX_ENTRIES}` : issueText(parsed.error);
    named.push(`${kind} entry ${i + 1} dropped from ${where}: ${why}`);
  });
  if (dropped > named.length)
    named.push(`${kind}: ${dropped - named.length} more entries dropped from ${where}`);
  return { version, items, problems: named, dropped };
}

/** The first issue of a refused entry, short. */
function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'not an entry';
  const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${path}${issue.message}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}
