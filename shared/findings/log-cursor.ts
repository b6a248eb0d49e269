/**
 * Which mail_logs lines are new since the previous cycle. Timestamps are the appliance's clock as
 * the parser read it, so they are only compared with each other, never with the monitor's clock.
 */
import type { MailLogEvent } from '../asyncos/types';
import type { LogCursor } from './types';

function time(e: MailLogEvent): number | null {
  if (e.timestamp === null) return null;
  const t = Date.parse(e.timestamp);
  return Number.isNaN(t) ? null : t;
}

/**
 * The events newer than `cursor`, and the cursor to keep. Lines without a timestamp cannot be
 * placed and are never counted. Without a cursor (first read), only lines within `lookbackMs` of
 * the newest line count, so an old failure in a long log does not page on the first cycle.
 */
export function eventsSince(
  events: readonly MailLogEvent[],
  cursor: LogCursor | undefined,
  lookbackMs: number,
): { fresh: MailLogEvent[]; cursor: LogCursor | undefined } {
  const timed = events
    .map((e) => ({ e, t: time(e) }))
    .filter((x): x is { e: MailLogEvent; t: number } => x.t !== null);
  if (timed.length === 0) return { fresh: [], cursor };
  const newest = Math.max(...timed.map((x) => x.t));
  const fresh: MailLogEvent[] = [];
  if (cursor === undefined) {
    for (const x of timed) if (x.t >= newest - lookbackMs) fresh.push(x.e);
  } else {
    const c = Date.parse(cursor.timestamp);
    let sameSecond = 0;
    for (const x of timed) {
      if (x.t > c) fresh.push(x.e);
      else if (x.t === c && ++sameSecond > cursor.atTimestamp) fresh.push(x.e);
    }
  }
  const newestEvent = timed.find((x) => x.t === newest)!.e;
  const atNewest = timed.filter((x) => x.t === newest).length;
  if (cursor !== undefined && Date.parse(cursor.timestamp) > newest) {
    // The log went back in time (rotated, or a read of an older file): keep the old cursor.
    return { fresh, cursor };
  }
  return { fresh, cursor: { timestamp: newestEvent.timestamp!, atTimestamp: atNewest } };
}
