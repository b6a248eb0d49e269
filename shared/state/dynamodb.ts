/**
 * What the DynamoDB backends share: the document client they are built on, and the versioned
 * conditional write that keeps two writers from both taking the same step (the alert records and
 * the operators' documents carry a `version`; a write names the version it read).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CallOptions } from '../aws/client-config';
import { errorMessage } from '../errors';
import { ALERT_TABLE } from './table';

/** DynamoDB's limit on one item, attribute names and values together. */
export const ITEM_LIMIT_BYTES = 400 * 1024;

/** A document client that drops undefined attributes (optional record fields). */
export function createAlertDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The condition of a versioned conditional write: the item must not exist yet (version 0), or must
 * still carry the version the writer read.
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

/** Outcome of a versioned write: the item as stored, or `conflict` when another writer was first. */
export type VersionedPut<T> = { status: 'written'; item: T } | { status: 'conflict' };

/** A versioned write to make: the item (without its new version) and the version its writer read. */
export interface VersionedItem<T> {
  tableName: string;
  item: T;
  expectedVersion: number;
  /** Names the item in an error message (`alert a/b`, `silences`). */
  what: string;
}

/**
 * Puts `item` with version `expectedVersion + 1` if the stored version is still `expectedVersion`
 * (0: the item must not exist). A refused condition is a conflict; any other failure is an error
 * made by `fail` that names the item and the table (and its size when DynamoDB found it too big).
 */
export async function putVersioned<T extends object>(
  doc: DynamoDBDocumentClient,
  put: VersionedItem<T>,
  options: CallOptions,
  fail: (message: string, cause: unknown) => Error,
): Promise<VersionedPut<T & { version: number }>> {
  // A JSON round trip drops undefined fields, which the marshaller would otherwise reject when
  // the document client was not created with removeUndefinedValues.
  const item = JSON.parse(JSON.stringify({ ...put.item, version: put.expectedVersion + 1 })) as T & {
    version: number;
  };
  try {
    await doc.send(
      new PutCommand({ TableName: put.tableName, Item: item, ...versionCondition(put.expectedVersion) }),
      options,
    );
    return { status: 'written', item };
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return { status: 'conflict' };
    throw fail(writeFailure(err, put.what, put.tableName, item), err);
  }
}

/**
 * The message of a failed write: `cannot write WHAT to TABLE: CAUSE`, with the item's size beside
 * DynamoDB's limit when the cause is an item too big (its own text names neither).
 */
export function writeFailure(err: unknown, what: string, tableName: string, item: object): string {
  const text = `cannot write ${what} to ${tableName}: ${errorMessage(err)}`;
  if (!/item size/i.test(errorMessage(err))) return text;
  const kb = Math.ceil(Buffer.byteLength(JSON.stringify(item)) / 1024);
  return `${text} (the item is about ${kb} KB; DynamoDB stores at most ${ITEM_LIMIT_BYTES / 1024} KB per item)`;
}
