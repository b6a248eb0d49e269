/**
 * The layout of the alert table, which the CDK stack creates and the Lambdas read and write: the
 * alert records, the operators' documents and the cycle memory share it, one item each, told apart
 * by their keys. Constants only: the infrastructure code reads them without loading a store.
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
 * in another. Alert ids never contain `#`, and these items carry no `state`, so the scan of open
 * alerts never returns them. The operators' IAM policy may write these two keys and no other.
 */
export const OPERATOR_ITEMS = { silences: 'operator#silences', acks: 'operator#acks' } as const;

/** Prefix of the cycle memory's items (`memory#<key>`); alert ids never contain `#`. */
export const MEMORY_ID_PREFIX = 'memory#';
