/**
 * The layout of the alert table, which the CDK stack creates and the Lambdas read and write: the
 * alert records, the operators' documents and the cycle memory share it, one item each, told apart
 * by their keys. Constants (and one pure test of a key): the infrastructure code reads them
 * without loading a store.
 */

/**
 * Table layout: partition key `id` (string), TTL on `expiresAt`, and a global secondary index on
 * the alert records' `appliance` (every record has one; the memory and operators' items have none,
 * so the index holds alert records only), projecting every attribute. A shard reads its open
 * alerts with one Query of that index per appliance it owns instead of scanning the table: a Scan
 * is billed for every item it reads before filtering, so its price grows with the whole fleet on
 * every invocation of every shard (docs/deploy.md, "DynamoDB reads").
 */
export const ALERT_TABLE = {
  partitionKey: 'id',
  ttlAttribute: 'expiresAt',
  applianceIndex: 'by-appliance',
  applianceAttribute: 'appliance',
} as const;

/**
 * Keys of the operators' items in the same table: all silences in one item, all acknowledgements
 * in another. Alert ids never contain `#`, so the alert store refuses these items whatever they
 * carry (isReservedKey). The operators' IAM policy may write these two keys and no other, and
 * only the attributes in OPERATOR_ATTRIBUTES: never `appliance` (the index key), `state` or
 * `outbox`, so an operator's item can neither enter the index nor look like an alert record.
 */
export const OPERATOR_ITEMS = { silences: 'operator#silences', acks: 'operator#acks' } as const;

/** The only attributes an operators' item has (the key, its version, its entries). */
export const OPERATOR_ATTRIBUTES = [ALERT_TABLE.partitionKey, 'version', 'items'] as const;

/** Prefix of the cycle memory's items (`memory#<key>`); alert ids never contain `#`. */
export const MEMORY_ID_PREFIX = 'memory#';

/** Prefix of the operators' items' keys. */
const OPERATOR_ID_PREFIX = 'operator#';

/**
 * True for a key of the operators' items or the cycle memory: never an alert id (an alert id
 * starts with an appliance name, which holds no `#`, or with `monitor/`).
 */
export function isReservedKey(id: string): boolean {
  return id.startsWith(OPERATOR_ID_PREFIX) || id.startsWith(MEMORY_ID_PREFIX);
}
