/**
 * Cycle memory in the alert table, one item per key (`memory#<key>`). Items carry no `state` and
 * no `appliance`, so the alert store's scan of open alerts and its appliance index never return
 * them. Memory is not versioned: each key has one owner (a cycle kind and shard), the last save wins.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CallOptions } from '../../aws/client-config';
import { errorMessage } from '../../errors';
import { writeFailure } from '../dynamodb';
import { ALERT_TABLE, MEMORY_ID_PREFIX } from '../table';
import { type CyclePart, type MemoryStore, MemoryStoreError } from './store';

/** A MemoryStore in the alert table. */
export class DynamoDbMemoryStore implements MemoryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** {@inheritDoc MemoryStore.load} */
  async load(key: string, options: CallOptions = {}): Promise<CyclePart | undefined> {
    try {
      const res = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ALERT_TABLE.partitionKey]: MEMORY_ID_PREFIX + key },
          ConsistentRead: true,
        }),
        options,
      );
      const body = res.Item?.memory;
      return typeof body === 'string' ? (JSON.parse(body) as CyclePart) : undefined;
    } catch (err) {
      throw new MemoryStoreError(
        `cannot read cycle memory ${key} from ${this.tableName}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  /** {@inheritDoc MemoryStore.save} */
  async save(key: string, part: CyclePart, options: CallOptions = {}): Promise<void> {
    // One string attribute: memory maps are keyed by appliance names, which DynamoDB map keys
    // would accept, but a string keeps the item's size predictable (400 KB limit).
    const item = {
      [ALERT_TABLE.partitionKey]: MEMORY_ID_PREFIX + key,
      memory: JSON.stringify(part),
      savedAt: part.savedAt,
    };
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }), options);
    } catch (err) {
      throw new MemoryStoreError(writeFailure(err, `cycle memory ${key}`, this.tableName, item), {
        cause: err,
      });
    }
  }
}
