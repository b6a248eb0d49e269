/**
 * Alert state in one local JSON file, for the CLI and the demo. Writes go to a temporary file in
 * the same directory and are renamed over the old one, so a crash never leaves half a file.
 * Operations are serialised within the process; one file serves one process at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '../errors';
import type { AlertRecord } from './state-machine';
import { type AlertStore, AlertStoreError, isAlertRecord, isOpen, type PutOutcome } from './store';

interface FileShape {
  format: 'cpq-monitor-alerts';
  formatVersion: 1;
  alerts: Record<string, AlertRecord>;
}

/** An AlertStore backed by a JSON file (created on the first write). */
export class FileAlertStore implements AlertStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** {@inheritDoc AlertStore.get} */
  get(ids: readonly string[]): Promise<Map<string, AlertRecord>> {
    return this.serial(async () => {
      const all = (await this.load()).alerts;
      const out = new Map<string, AlertRecord>();
      for (const id of ids) if (isAlertRecord(all[id])) out.set(id, all[id]);
      return out;
    });
  }

  /** {@inheritDoc AlertStore.listOpen} */
  listOpen(): Promise<AlertRecord[]> {
    return this.serial(async () =>
      Object.values((await this.load()).alerts).filter((r) => isAlertRecord(r) && isOpen(r)),
    );
  }

  /** {@inheritDoc AlertStore.put} */
  put(record: AlertRecord, expectedVersion: number): Promise<PutOutcome> {
    return this.serial(async () => {
      const doc = await this.load();
      const current = doc.alerts[record.id];
      if ((current?.version ?? 0) !== expectedVersion) return { status: 'conflict' } as const;
      const stored: AlertRecord = { ...record, version: expectedVersion + 1 };
      doc.alerts[record.id] = stored;
      await this.save(doc);
      return { status: 'written', record: stored } as const;
    });
  }

  /** Every record in the file (for `check --json` and the demo summary). */
  all(): Promise<AlertRecord[]> {
    return this.serial(async () => Object.values((await this.load()).alerts));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<FileShape> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { format: 'cpq-monitor-alerts', formatVersion: 1, alerts: {} };
      }
      throw new AlertStoreError(`cannot read alert state ${this.path}: ${errorMessage(err)}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new AlertStoreError(`alert state ${this.path} is not JSON: ${errorMessage(err)}`, { cause: err });
    }
    const shape = doc as Partial<FileShape> | null;
    if (shape?.format !== 'cpq-monitor-alerts' || typeof shape.alerts !== 'object' || shape.alerts === null) {
      throw new AlertStoreError(`${this.path} is not a cpq-monitor alert state file`);
    }
    return shape as FileShape;
  }

  private async save(doc: FileShape): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw new AlertStoreError(`cannot write alert state ${this.path}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }
}
