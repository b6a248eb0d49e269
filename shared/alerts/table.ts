/**
 * The layout of the alert table, which the CDK stack creates and the Lambdas read and write (the
 * alert store's records and the cycle memory's items share it). Constants only: the
 * infrastructure code reads them without loading a runtime store.
 */

/** Table layout: partition key `id` (string), TTL on `expiresAt`. */
export const ALERT_TABLE = { partitionKey: 'id', ttlAttribute: 'expiresAt' } as const;

/**
 * Keys of the operators' items in the same table: all silences in one item, all acknowledgements
 * in another. Alert ids never contain `#`, and these items carry no `state`, so the scan of open
 * alerts never returns them. The operators' IAM policy may write these two keys and no other.
 */
export const OPERATOR_ITEMS = { silences: 'operator#silences', acks: 'operator#acks' } as const;
