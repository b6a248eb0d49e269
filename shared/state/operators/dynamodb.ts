/** The operators' documents as two items of the DynamoDB alert table (keys in OPERATOR_ITEMS). */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { errorMessage } from '../../errors';
import { putVersioned } from '../dynamodb';
import { ALERT_TABLE, OPERATOR_ITEMS } from '../table';
import { type OperatorDocs, type OperatorKind, type OperatorStore, OperatorStoreError } from './store';
import { type CheckedDoc, checkOperatorDoc } from './validate';

/** An OperatorStore in the alert table, one item per kind of document. */
export class DynamoDbOperatorStore implements OperatorStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** {@inheritDoc OperatorStore.read} */
  async read<K extends OperatorKind>(kind: K): Promise<CheckedDoc<OperatorDocs[K]>> {
    let item: Record<string, unknown> | undefined;
    try {
      const res = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ALERT_TABLE.partitionKey]: OPERATOR_ITEMS[kind] },
          ConsistentRead: true,
        }),
      );
      item = res.Item;
    } catch (err) {
      throw new OperatorStoreError(`cannot read ${kind} from ${this.tableName}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    return checkOperatorDoc(kind, item, `item ${OPERATOR_ITEMS[kind]} of ${this.tableName}`);
  }

  /** {@inheritDoc OperatorStore.write} */
  async write<K extends OperatorKind>(
    kind: K,
    items: OperatorDocs[K][],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    const put = {
      tableName: this.tableName,
      item: { [ALERT_TABLE.partitionKey]: OPERATOR_ITEMS[kind], items },
      expectedVersion,
      what: kind,
    };
    const out = await putVersioned(this.doc, put, {}, (m, cause) => new OperatorStoreError(m, { cause }));
    return out.status;
  }
}
