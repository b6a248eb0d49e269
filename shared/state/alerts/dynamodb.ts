/**
 * Alert state in DynamoDB (the Lambdas' store). One item per alert id; every put is conditional
 * on the version the writer read, so of two overlapping cycles exactly one takes a transition.
 * Resolved records carry a TTL attribute and disappear on their own. A cycle lists the open
 * records of its own appliances through the `appliance` index (one Query each); the Scan of the
 * whole table is left to the operators' commands, which run by hand.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import type { AlertRecord } from '../../alerts/record';
import { RECORD_MAX_BYTES, recordBytes, shrinkRecord } from '../../alerts/record-bounds';
import type { CallOptions } from '../../aws/client-config';
import { errorMessage } from '../../errors';
import { putVersioned } from '../dynamodb';
import { ALERT_TABLE } from '../table';
import {
  type AlertStore,
  AlertStoreError,
  isAlertRecord,
  isOpen,
  type ListOpenOptions,
  type PutOutcome,
} from './store';

/** Options of the DynamoDB store. */
export interface DynamoDbAlertStoreOptions {
  tableName: string;
  /** Rounds of re-asking for UnprocessedKeys of a BatchGet; default 5. */
  maxBatchRounds?: number;
  /** Waits between those rounds (tests pass a no-op); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

const BATCH_GET_LIMIT = 100;
/** Queries of the appliance index in flight at once. */
const QUERY_CONCURRENCY = 8;
/** What "open" means to a filter expression: the same rule as `isOpen`. */
const OPEN_FILTER = {
  FilterExpression: 'attribute_exists(#state) AND (#state <> :ok OR size(#outbox) > :zero)',
  ExpressionAttributeNames: { '#state': 'state', '#outbox': 'outbox' },
  ExpressionAttributeValues: { ':ok': 'ok', ':zero': 0 },
} as const;

/** An AlertStore in a DynamoDB table. */
export class DynamoDbAlertStore implements AlertStore {
  private readonly tableName: string;
  private readonly maxBatchRounds: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    options: DynamoDbAlertStoreOptions,
  ) {
    this.tableName = options.tableName;
    this.maxBatchRounds = options.maxBatchRounds ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** {@inheritDoc AlertStore.get} */
  async get(ids: readonly string[], options: CallOptions = {}): Promise<Map<string, AlertRecord>> {
    const out = new Map<string, AlertRecord>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Array<Record<string, unknown>> = unique
        .slice(i, i + BATCH_GET_LIMIT)
        .map((id) => ({ [ALERT_TABLE.partitionKey]: id }));
      for (let round = 0; keys.length > 0; round++) {
        if (round >= this.maxBatchRounds) {
          throw new AlertStoreError(
            `DynamoDB left ${keys.length} alert keys unprocessed after ${round} rounds`,
          );
        }
        if (round > 0) await this.sleep(50 * 2 ** round);
        let res: BatchGetCommandOutput;
        try {
          res = await this.doc.send(
            new BatchGetCommand({
              RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
            }),
            options,
          );
        } catch (err) {
          throw new AlertStoreError(`cannot read alerts from ${this.tableName}: ${errorMessage(err)}`, {
            cause: err,
          });
        }
        for (const item of res.Responses?.[this.tableName] ?? []) {
          if (isAlertRecord(item)) out.set(item.id, item);
        }
        keys = (res.UnprocessedKeys?.[this.tableName]?.Keys as Array<Record<string, unknown>>) ?? [];
      }
    }
    return out;
  }

  /** {@inheritDoc AlertStore.listOpen} */
  async listOpen(options: ListOpenOptions = {}): Promise<AlertRecord[]> {
    const { appliances, ...call } = options;
    if (appliances === undefined) return this.scanOpen(call);
    const limit = pLimit(QUERY_CONCURRENCY);
    const lists = await Promise.all(
      [...new Set(appliances)].map((a) => limit(() => this.queryOpen(a, call))),
    );
    return lists.flat();
  }

  /**
   * The open records of one appliance, from the index (eventually consistent, as every index
   * read is: a record written a moment ago may be missing once; the engine reads the failing ids
   * it does not find consistently, and every write is conditional on the version it read).
   */
  private queryOpen(appliance: string, call: CallOptions): Promise<AlertRecord[]> {
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        IndexName: ALERT_TABLE.applianceIndex,
        KeyConditionExpression: '#appliance = :appliance',
        FilterExpression: OPEN_FILTER.FilterExpression,
        ExpressionAttributeNames: {
          ...OPEN_FILTER.ExpressionAttributeNames,
          '#appliance': ALERT_TABLE.applianceAttribute,
        },
        ExpressionAttributeValues: { ...OPEN_FILTER.ExpressionAttributeValues, ':appliance': appliance },
      },
      call,
    );
    return this.openIn(pages, `query open alerts of ${appliance}`);
  }

  /** Every open record: a Scan of the whole table, for the operators' commands. */
  private scanOpen(call: CallOptions): Promise<AlertRecord[]> {
    // Other items share the table (the cycle's memory has no `state`): attribute_exists keeps
    // them out whatever `<>` makes of a missing attribute; isAlertRecord re-checks.
    const pages = paginateScan(
      { client: this.doc },
      { TableName: this.tableName, ConsistentRead: true, ...OPEN_FILTER },
      call,
    );
    return this.openIn(pages, 'scan open alerts');
  }

  /** The open alert records of every page; a failed page is an AlertStoreError saying what was read. */
  private async openIn(
    pages: AsyncIterable<{ Items?: Array<Record<string, unknown>> }>,
    what: string,
  ): Promise<AlertRecord[]> {
    const out: AlertRecord[] = [];
    try {
      for await (const page of pages) {
        for (const item of page.Items ?? []) if (isAlertRecord(item) && isOpen(item)) out.push(item);
      }
    } catch (err) {
      throw new AlertStoreError(`cannot ${what} in ${this.tableName}: ${errorMessage(err)}`, { cause: err });
    }
    return out;
  }

  /**
   * {@inheritDoc AlertStore.put} A record over RECORD_MAX_BYTES, or one the engine refuses as too
   * large, is written smaller (shrinkRecord) rather than not at all.
   */
  async put(record: AlertRecord, expectedVersion: number, options: CallOptions = {}): Promise<PutOutcome> {
    const first = recordBytes(record) > RECORD_MAX_BYTES ? shrinkRecord(record) : record;
    try {
      return await this.putOnce(first, expectedVersion, options);
    } catch (err) {
      if (
        !(err instanceof AlertStoreError) ||
        !/item size/i.test(errorMessage(err.cause)) ||
        first !== record
      ) {
        throw err;
      }
      return this.putOnce(shrinkRecord(record), expectedVersion, options);
    }
  }

  private async putOnce(
    record: AlertRecord,
    expectedVersion: number,
    options: CallOptions,
  ): Promise<PutOutcome> {
    const put = { tableName: this.tableName, item: record, expectedVersion, what: `alert ${record.id}` };
    const out = await putVersioned(this.doc, put, options, (m, cause) => new AlertStoreError(m, { cause }));
    return out.status === 'written' ? { status: 'written', record: out.item } : out;
  }
}
