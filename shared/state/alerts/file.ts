/**
 * Alert records in the local state file, for the CLI and the demo: its `alerts` section, keyed by
 * alert id (the operators' documents sit beside them in the same file). Written whole and
 * atomically, one operation at a time (json-file.ts).
 */
import type { AlertRecord } from '../../alerts/record';
import { type FailWith, JsonFile } from '../json-file';
import {
  type AlertStore,
  AlertStoreError,
  isAlertRecord,
  isOpen,
  type ListOpenOptions,
  type PutOutcome,
} from './store';

/** The local state file: alert records by id and, beside them, the operators' documents by kind. */
export interface StateFileShape {
  format: 'cpq-monitor-alerts';
  formatVersion: 1;
  alerts: Record<string, unknown>;
  operator?: Record<string, unknown>;
}

/** The state file at `file`: an absent file is an empty one; a file of another kind is an error. */
export async function readStateFile(file: JsonFile): Promise<StateFileShape> {
  const doc = (await file.read()) as { format?: unknown; alerts?: unknown } | null | undefined;
  if (doc === undefined) return { format: 'cpq-monitor-alerts', formatVersion: 1, alerts: {} };
  if (doc?.format !== 'cpq-monitor-alerts' || typeof doc.alerts !== 'object' || doc.alerts === null) {
    throw file.error('is not a cpq-monitor alert state file');
  }
  return doc as StateFileShape;
}

/** An AlertStore backed by the state file (created on the first write). */
export class FileAlertStore implements AlertStore {
  private readonly file: JsonFile;

  constructor(readonly path: string) {
    const fail: FailWith = (m, cause) => new AlertStoreError(m, { cause });
    this.file = new JsonFile(path, 'alert state ', fail);
  }

  /** {@inheritDoc AlertStore.get} */
  get(ids: readonly string[]): Promise<Map<string, AlertRecord>> {
    return this.file.serial(async () => {
      const all = (await readStateFile(this.file)).alerts;
      const out = new Map<string, AlertRecord>();
      for (const id of ids) {
        const record = all[id];
        if (isAlertRecord(record)) out.set(id, record);
      }
      return out;
    });
  }

  /** {@inheritDoc AlertStore.listOpen} */
  listOpen(options: ListOpenOptions = {}): Promise<AlertRecord[]> {
    const wanted = options.appliances === undefined ? undefined : new Set(options.appliances);
    return this.file.serial(async () =>
      (await this.records()).filter((r) => isOpen(r) && (wanted === undefined || wanted.has(r.appliance))),
    );
  }

  /** {@inheritDoc AlertStore.put} */
  put(record: AlertRecord, expectedVersion: number): Promise<PutOutcome> {
    return this.file.serial(async () => {
      const doc = await readStateFile(this.file);
      const current = doc.alerts[record.id] as Partial<AlertRecord> | undefined;
      if ((current?.version ?? 0) !== expectedVersion) return { status: 'conflict' } as const;
      const stored: AlertRecord = { ...record, version: expectedVersion + 1 };
      doc.alerts[record.id] = stored;
      await this.file.write(doc);
      return { status: 'written', record: stored } as const;
    });
  }

  /** Every record in the file (for `check --json` and the demo summary). */
  all(): Promise<AlertRecord[]> {
    return this.file.serial(() => this.records());
  }

  private async records(): Promise<AlertRecord[]> {
    return Object.values((await readStateFile(this.file)).alerts).filter(isAlertRecord);
  }
}
