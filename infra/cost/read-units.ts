/**
 * DynamoDB read units of the calls the cycles make, by DynamoDB's own rounding rules (Developer
 * Guide, "DynamoDB read and write operations"): a strongly consistent read of an item costs one
 * unit per started 4 KB; an eventually consistent read half that; BatchGetItem rounds each item on
 * its own; a Query rounds the total of the items it returns. A read that finds nothing is counted
 * as the smallest read (one unit strong, half eventually consistent): an upper bound. Item sizes
 * are measured as their JSON text, which is at least DynamoDB's size for the same attributes.
 * Pure; the scale benchmark meters a shard's calls with these rules.
 */

const UNIT_BYTES = 4096;

/** The size of an item as its JSON text (bytes). */
export function itemBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item) ?? '', 'utf8');
}

/** Units of one GetItem (strongly consistent); a missing item counts as the smallest read. */
export function getItemUnits(bytes: number | undefined): number {
  return Math.max(1, Math.ceil((bytes ?? 0) / UNIT_BYTES));
}

/** Units of one BatchGetItem (strongly consistent): every key rounded on its own. */
export function batchGetUnits(found: readonly number[], missing: number): number {
  return found.reduce((s, b) => s + getItemUnits(b), 0) + missing;
}

/** Units of one Query of an index (eventually consistent, the only kind an index allows). */
export function indexQueryUnits(returnedBytes: readonly number[]): number {
  const total = returnedBytes.reduce((s, b) => s + b, 0);
  return Math.max(1, Math.ceil(total / UNIT_BYTES)) / 2;
}
