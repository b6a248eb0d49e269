/**
 * Where alert state lives between cycles. Every write is conditional on the version the writer
 * read, so two overlapping cycles cannot both take the same transition (and page twice).
 */
import type { AlertRecord } from '../../alerts/record';
import type { CallOptions } from '../../aws/client-config';
import { CpqMonitorError } from '../../errors';
import { isReservedKey } from '../table';

/** Outcome of a conditional write. `conflict`: another writer changed the record first. */
export type PutOutcome = { status: 'written'; record: AlertRecord } | { status: 'conflict' };

/** Options of `listOpen`: the AWS call options, and the appliances whose records are wanted. */
export interface ListOpenOptions extends CallOptions {
  /** Only records whose `appliance` is one of these (default: the whole store). */
  appliances?: readonly string[];
}

/** Persistent alert state, keyed by finding id. */
export interface AlertStore {
  /** The stored records of these ids (absent ids are missing from the map), read consistently. */
  get(ids: readonly string[], options?: CallOptions): Promise<Map<string, AlertRecord>>;
  /**
   * Every record that is not `ok` or still has undelivered notifications; with `appliances`, only
   * the records of those appliances (a shard's own), read without touching the rest of the fleet.
   */
  listOpen(options?: ListOpenOptions): Promise<AlertRecord[]>;
  /**
   * Stores `record` with version `expectedVersion + 1` if the stored version is `expectedVersion`
   * (0: the record must not exist yet). Storage failures throw AlertStoreError.
   */
  put(record: AlertRecord, expectedVersion: number, options?: CallOptions): Promise<PutOutcome>;
}

/** The alert store could not be read or written (not a version conflict). */
export class AlertStoreError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('alert_store_failed', message, options);
  }
}

/** True when a record must be returned by `listOpen`. */
export function isOpen(record: AlertRecord): boolean {
  return record.state !== 'ok' || record.outbox.length > 0;
}

const STATES = new Set(['ok', 'pending', 'alarm', 'recovering']);

/**
 * True for a stored item shaped like an AlertRecord (other items may share a table or file). An
 * item under a key of the operators' documents or the cycle memory is never one, whatever
 * attributes it carries: operators may write those keys, and must not be able to page through them.
 */
export function isAlertRecord(item: unknown): item is AlertRecord {
  const r = item as Partial<AlertRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    !isReservedKey(r.id) &&
    typeof r.appliance === 'string' &&
    typeof r.check === 'string' &&
    typeof r.state === 'string' &&
    STATES.has(r.state) &&
    Array.isArray(r.outbox) &&
    typeof r.version === 'number'
  );
}
