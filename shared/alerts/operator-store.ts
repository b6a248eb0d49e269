/**
 * Where on-call's silences and acknowledgements live: beside the alert state the cycle already
 * keeps (two items of the DynamoDB alert table in AWS, an `operator` section of the state file
 * locally), so the next cycle honours them without a deploy. Each kind is one versioned document,
 * written conditionally on the version read: two operators never overwrite each other, and the
 * cycle only reads these documents, so an operator's write never races a cycle's write.
 */
import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConfigError, CpqMonitorError, errorMessage } from '../errors';
import { type Ack, ackCurrent, MAX_ACKS, openSeverity, validateAck } from './acks';
import { readStateFile, writeStateFile } from './file-store';
import { MAX_SILENCES, type Silence, silenceEnd } from './silences';
import type { AlertStore } from './store';
import { ALERT_TABLE, OPERATOR_ITEMS, versionCondition } from './table';

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
  /** The document, read consistently (version 0 and no items when absent). */
  read<K extends OperatorKind>(kind: K): Promise<OperatorDoc<OperatorDocs[K]>>;
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

/** Both documents, for one cycle. */
export async function loadOperatorState(store: OperatorStore): Promise<OperatorState> {
  const [silences, acks] = await Promise.all([store.read('silences'), store.read('acks')]);
  return { silences: silences.items, acks: acks.items };
}

const WRITE_ATTEMPTS = 5;

/** Read, change, write conditionally; re-read and retry when another operator wrote first. */
async function update<K extends OperatorKind, R>(
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

/** A new silence id: `sil-` and 8 random hex digits. */
export function newSilenceId(): string {
  return `sil-${randomBytes(4).toString('hex')}`;
}

/** Stores a validated silence (ended ones are dropped on the way); returns it with its id. */
export function addSilence(
  store: OperatorStore,
  silence: Omit<Silence, 'id'>,
  now: Date,
  maxDays: number,
  id: string = newSilenceId(),
): Promise<Silence> {
  const stored: Silence = { id, ...silence };
  return update(store, 'silences', (items) => {
    const live = items.filter((s) => silenceEnd(s, maxDays) > now.getTime());
    if (live.length >= MAX_SILENCES) {
      throw new ConfigError(
        `${MAX_SILENCES} silences are active already: remove some (cpq-monitor silence remove ID) or use a broader pattern`,
      );
    }
    return { items: [...live, stored], result: stored };
  });
}

/** Removes a silence by id; throws a ConfigError naming the active ids when it is not there. */
export function removeSilence(
  store: OperatorStore,
  id: string,
  now: Date,
  maxDays: number,
): Promise<Silence> {
  return update(store, 'silences', (items) => {
    const found = items.find((s) => s.id === id);
    if (found === undefined) {
      const active = items.filter((s) => silenceEnd(s, maxDays) > now.getTime()).map((s) => s.id);
      throw new ConfigError(
        `no silence ${id}${active.length > 0 ? `; active: ${active.join(', ')}` : ' (no silence is active)'}`,
      );
    }
    return {
      items: items.filter((s) => s.id !== id && silenceEnd(s, maxDays) > now.getTime()),
      result: found,
    };
  });
}

/** Outcome of `acknowledge`. */
export type AckOutcome = { status: 'acknowledged'; ack: Ack } | { status: 'already'; ack: Ack };

/**
 * Acknowledges the current incident of an open alert. The ack names the incident by its start
 * (`since`) and the worst severity known now, so it cannot cover a later incident or a worse one
 * even if the alert changes while this runs. Acks of incidents that have ended are dropped here.
 */
export async function acknowledge(
  operators: OperatorStore,
  alerts: AlertStore,
  req: { alertId: string; reason: string; author: string; now: Date },
): Promise<AckOutcome> {
  const { reason, author } = validateAck(req.reason, req.author);
  const stored = await operators.read('acks');
  const looked = new Set([req.alertId, ...stored.items.map((a) => a.alertId)]);
  const records = await alerts.get([...looked]);
  const record = records.get(req.alertId);
  if (record === undefined || record.state === 'ok' || record.since === null) {
    throw new ConfigError(
      `alert ${req.alertId} has no open incident${record === undefined ? ' (no such alert in the state)' : ` (state ${record.state})`}: nothing to acknowledge`,
    );
  }
  const ack: Ack = {
    alertId: req.alertId,
    since: record.since,
    severity: openSeverity(record) ?? 'info',
    reason,
    author,
    at: req.now.toISOString(),
  };
  return update(operators, 'acks', (items) => {
    const existing = items.find((a) => a.alertId === req.alertId && ackCurrent(a, record));
    if (existing !== undefined)
      return { items: null, result: { status: 'already', ack: existing } as AckOutcome };
    // An ack someone wrote meanwhile, for an alert not looked up above, is kept as it is.
    const kept = items.filter(
      (a) =>
        a.alertId !== req.alertId && (looked.has(a.alertId) ? ackCurrent(a, records.get(a.alertId)) : true),
    );
    if (kept.length >= MAX_ACKS) {
      throw new ConfigError(`${MAX_ACKS} open incidents are acknowledged already: the acks document is full`);
    }
    return { items: [...kept, ack], result: { status: 'acknowledged', ack } as AckOutcome };
  });
}

interface FileShape {
  format: 'cpq-monitor-alerts';
  formatVersion: 1;
  alerts: Record<string, unknown>;
  operator?: Partial<Record<OperatorKind, OperatorDoc<unknown>>>;
}

/**
 * The operators' documents in the local alert state file (the one `check --state` uses), in its
 * `operator` section. Each write re-reads the file and renames a complete new file over it, like
 * the alert store, so the alert records written meanwhile by a running `check` are kept.
 */
export class FileOperatorStore implements OperatorStore {
  constructor(readonly path: string) {}

  /** {@inheritDoc OperatorStore.read} */
  async read<K extends OperatorKind>(kind: K): Promise<OperatorDoc<OperatorDocs[K]>> {
    const doc = (await this.load()).operator?.[kind];
    return (doc as OperatorDoc<OperatorDocs[K]> | undefined) ?? { version: 0, items: [] };
  }

  /** {@inheritDoc OperatorStore.write} */
  async write<K extends OperatorKind>(
    kind: K,
    items: OperatorDocs[K][],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    const file = await this.load();
    if ((file.operator?.[kind]?.version ?? 0) !== expectedVersion) return 'conflict';
    file.operator = { ...file.operator, [kind]: { version: expectedVersion + 1, items } };
    await writeStateFile(this.path, file, '', (m, cause) => new OperatorStoreError(m, { cause }));
    return 'written';
  }

  private load(): Promise<FileShape> {
    return readStateFile<FileShape>(this.path, '', (m, cause) => new OperatorStoreError(m, { cause }));
  }
}

/** The operators' documents as two items of the DynamoDB alert table (keys in OPERATOR_ITEMS). */
export class DynamoDbOperatorStore implements OperatorStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** {@inheritDoc OperatorStore.read} */
  async read<K extends OperatorKind>(kind: K): Promise<OperatorDoc<OperatorDocs[K]>> {
    try {
      const res = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ALERT_TABLE.partitionKey]: OPERATOR_ITEMS[kind] },
          ConsistentRead: true,
        }),
      );
      const item = res.Item;
      if (item === undefined) return { version: 0, items: [] };
      if (typeof item.version !== 'number' || !Array.isArray(item.items)) {
        throw new Error(`item ${OPERATOR_ITEMS[kind]} is not a cpq-monitor ${kind} document`);
      }
      return { version: item.version, items: item.items as OperatorDocs[K][] };
    } catch (err) {
      throw new OperatorStoreError(`cannot read ${kind} from ${this.tableName}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  /** {@inheritDoc OperatorStore.write} */
  async write<K extends OperatorKind>(
    kind: K,
    items: OperatorDocs[K][],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    const condition = versionCondition(expectedVersion);
    // A JSON round trip drops the undefined optional fields the marshaller would reject.
    const Item = JSON.parse(
      JSON.stringify({
        [ALERT_TABLE.partitionKey]: OPERATOR_ITEMS[kind],
        version: expectedVersion + 1,
        items,
      }),
    ) as Record<string, unknown>;
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item, ...condition }));
      return 'written';
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return 'conflict';
      throw new OperatorStoreError(`cannot write ${kind} to ${this.tableName}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }
}
