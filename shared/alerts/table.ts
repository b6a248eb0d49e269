/**
 * The layout of the alert table, which the CDK stack creates and the Lambdas read and write (the
 * alert store's records and the cycle memory's items share it). Constants only: the
 * infrastructure code reads them without loading a runtime store.
 */

/** Table layout: partition key `id` (string), TTL on `expiresAt`. */
export const ALERT_TABLE = { partitionKey: 'id', ttlAttribute: 'expiresAt' } as const;
