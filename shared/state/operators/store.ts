/**
 * Where on-call's silences and acknowledgements live: beside the alert state the cycle already
 * keeps (two items of the DynamoDB alert table in AWS, an `operator` section of the state file
 * locally), so the next cycle honours them without a deploy. Each kind is one versioned document,
 * written conditionally on the version read: two operators never overwrite each other, and the
 * cycle only reads these documents, so an operator's write never races a cycle's write.
 */
import type { Ack } from '../../alerts/acks';
import type { Silence } from '../../alerts/silences';
import { CpqMonitorError } from '../../errors';
import type { CheckedDoc } from './validate';

/** The two documents operators write. */
export interface OperatorDocs {
  silences: Silence;
  acks: Ack;
}
export type OperatorKind = keyof OperatorDocs;

/** One versioned document: version 0 means it was never written. */
export interface OperatorDoc<T> {
  version: number;
  items: T[];
}

/** Storage of the operators' documents. */
export interface OperatorStore {
  /**
   * The document, read consistently (version 0 and no items when absent), checked entry by entry
   * (validate.ts): the entries that are not silences or acks are dropped and named.
   */
  read<K extends OperatorKind>(kind: K): Promise<CheckedDoc<OperatorDocs[K]>>;
  /** Writes `items` as version `expectedVersion + 1` if the stored version is still `expectedVersion`. */
  write<K extends OperatorKind>(
    kind: K,
    items: OperatorDocs[K][],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'>;
}

/** The operators' store could not be read or written (not a version conflict). */
export class OperatorStoreError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('operator_store_failed', message, options);
  }
}

/** What the cycle reads once per run. */
export interface OperatorState {
  silences: Silence[];
  acks: Ack[];
}

/** Both documents as read, with what was dropped from them. */
export interface LoadedOperators extends OperatorState {
  /** One line per entry or document dropped (validate.ts). */
  problems: string[];
  /** Entries dropped, both documents together. */
  dropped: number;
}

/** Both documents, for one cycle or one command. */
export async function loadOperatorState(store: OperatorStore): Promise<LoadedOperators> {
  const [silences, acks] = await Promise.all([store.read('silences'), store.read('acks')]);
  return {
    silences: silences.items,
    acks: acks.items,
    problems: [...silences.problems, ...acks.problems],
    dropped: silences.dropped + acks.dropped,
  };
}

const WRITE_ATTEMPTS = 5;

/** Read, change, write conditionally; re-read and retry when another operator wrote first. */
export async function updateOperatorDoc<K extends OperatorKind, R>(
  store: OperatorStore,
  kind: K,
  change: (items: OperatorDocs[K][]) => { items: OperatorDocs[K][] | null; result: R },
): Promise<R> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const doc = await store.read(kind);
    const { items, result } = change(doc.items);
    if (items === null) return result;
    if ((await store.write(kind, items, doc.version)) === 'written') return result;
  }
  throw new OperatorStoreError(`the ${kind} changed ${WRITE_ATTEMPTS} times while writing: try again`);
}
