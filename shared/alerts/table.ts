/**
 * The layout of the alert table, which the CDK stack creates and the Lambdas read and write (the
 * alert store's records and the cycle memory's items share it). Constants only: the
 * infrastructure code reads them without loading a runtime store.
 */

/**
 * Table layout: partition key `id` (string), TTL on `expiresAt`, and a global secondary index on
 * the alert records' `appliance` (every record has one; the memory and operators' items have none,
 * so the index holds alert records only). A shard reads its open alerts with one Query of that
 * index per appliance it owns instead of scanning the table: a Scan is billed for every item it
 * reads before filtering, so its price grows with the whole fleet on every invocation of every
 * shard (docs/deploy.md, "DynamoDB reads").
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

/**
 * The condition of a versioned conditional write: the item must not exist yet (version 0), or must
 * still carry the version the writer read. Shared by the alert records and the operators' items.
 */
export function versionCondition(expectedVersion: number): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, number>;
} {
  return expectedVersion === 0
    ? {
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': ALERT_TABLE.partitionKey },
      }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };
}
