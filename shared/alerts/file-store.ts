/**
 * Alert state in one local JSON file, for the CLI and the demo. Writes go to a temporary file in
 * the same directory and are renamed over the old one, so a crash never leaves half a file.
 * Operations are serialised within the process; one file serves one process at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '../errors';
import type { AlertRecord } from './record';
import {
  type AlertStore,
  AlertStoreError,
  isAlertRecord,
  isOpen,
  type ListOpenOptions,
  type PutOutcome,
} from './store';

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
  listOpen(options: ListOpenOptions = {}): Promise<AlertRecord[]> {
    const wanted = options.appliances === undefined ? undefined : new Set(options.appliances);
    return this.serial(async () =>
      Object.values((await this.load()).alerts).filter(
        (r) => isAlertRecord(r) && isOpen(r) && (wanted === undefined || wanted.has(r.appliance)),
      ),
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

  private load(): Promise<FileShape> {
    return readStateFile<FileShape>(
      this.path,
      'alert state ',
      (m, cause) => new AlertStoreError(m, { cause }),
    );
  }

  private save(doc: FileShape): Promise<void> {
    return writeStateFile(this.path, doc, 'alert state ', (m, cause) => new AlertStoreError(m, { cause }));
  }
}

/**
 * Reads the local state file (alerts and, beside them, the operators' silences and acks): an
 * absent file is an empty one; anything that is not such a file is an error made by `fail`.
 */
export async function readStateFile<T extends { alerts: object }>(
  path: string,
  label: string,
  fail: (message: string, cause?: unknown) => Error,
): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { format: 'cpq-monitor-alerts', formatVersion: 1, alerts: {} } as unknown as T;
    }
    throw fail(`cannot read ${label}${path}: ${errorMessage(err)}`, err);
  }
  let doc: { format?: unknown; alerts?: unknown } | null;
  try {
    doc = JSON.parse(text) as { format?: unknown; alerts?: unknown } | null;
  } catch (err) {
    throw fail(`${label}${path} is not JSON: ${errorMessage(err)}`, err);
  }
  if (doc?.format !== 'cpq-monitor-alerts' || typeof doc.alerts !== 'object' || doc.alerts === null) {
    throw fail(`${path} is not a cpq-monitor alert state file`);
  }
  return doc as T;
}

/** Writes the local state file whole: a temporary file renamed over it, so a reader never sees half. */
export async function writeStateFile(
  path: string,
  doc: object,
  label: string,
  fail: (message: string, cause?: unknown) => Error,
): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fail(`cannot write ${label}${path}: ${errorMessage(err)}`, err);
  }
}
