/**
 * What one cycle hands to the next: the findings' memory (queue samples, log cursors, the last
 * probe outcome) and what the SSH reads learned that the probes use (each appliance's outbound
 * cipher list). The probe and SSH cycles run on their own schedules and may overlap, so each
 * writes only its own part, under its own key, and reads both.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ALERT_TABLE } from '../alerts/table';
import { CpqMonitorError, errorMessage } from '../errors';
import type { FindingsMemory } from '../findings/types';
import type { TlsVersion } from '../tls/versions';

/** The memory one kind of cycle owns. */
export interface CyclePart {
  /** Findings memory parts this cycle kind wrote (a probe cycle: `listeners`; an SSH cycle: `queues`, `logs`). */
  findings: Partial<Omit<FindingsMemory, 'version'>>;
  /** Outbound cipher lists read over SSH, by appliance (SSH cycle). */
  outboundCiphers?: Record<string, string>;
  /** TLS versions their outbound methods enable, by appliance (SSH cycle). */
  outboundVersions?: Record<string, { minVersion: TlsVersion; maxVersion: TlsVersion }>;
  savedAt: string;
}

/** Memory could not be read or written. A cycle goes on without it (first-cycle behaviour) and says so. */
export class MemoryStoreError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('memory_store_failed', message, options);
  }
}

/** Persistent per-key memory of cycles. */
export interface MemoryStore {
  load(key: string): Promise<CyclePart | undefined>;
  save(key: string, part: CyclePart): Promise<void>;
}

/** Memory in one local JSON file (CLI, demo), written atomically. */
export class FileMemoryStore implements MemoryStore {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly path: string) {}

  load(key: string): Promise<CyclePart | undefined> {
    return this.serial(async () => (await this.read())[key]);
  }

  save(key: string, part: CyclePart): Promise<void> {
    return this.serial(async () => {
      // A file that is not JSON is replaced: memory is rebuilt by the cycles, and keeping the
      // broken file would leave every later cycle without memory (load reports it once).
      const all = await this.read({ replaceInvalid: true });
      all[key] = part;
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`);
      await rename(tmp, this.path);
    });
  }

  private async read(opts: { replaceInvalid?: boolean } = {}): Promise<Record<string, CyclePart>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new MemoryStoreError(`cannot read ${this.path}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      const doc: unknown = JSON.parse(text);
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
      return doc as Record<string, CyclePart>;
    } catch (err) {
      if (opts.replaceInvalid) return {};
      throw new MemoryStoreError(`${this.path} is not valid JSON: ${errorMessage(err)}`, { cause: err });
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Prefix of memory items in the alert table (alert ids never contain `#`). */
export const MEMORY_ID_PREFIX = 'memory#';

/**
 * Memory in the alert table, one item per key (`memory#<key>`). Items carry no `state`, so the
 * alert store's scan of open alerts never returns them.
 */
export class DynamoDbMemoryStore implements MemoryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(key: string): Promise<CyclePart | undefined> {
    try {
      const res = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ALERT_TABLE.partitionKey]: MEMORY_ID_PREFIX + key },
          ConsistentRead: true,
        }),
      );
      const body = res.Item?.memory;
      return typeof body === 'string' ? (JSON.parse(body) as CyclePart) : undefined;
    } catch (err) {
      throw new MemoryStoreError(
        `cannot read cycle memory ${key} from ${this.tableName}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async save(key: string, part: CyclePart): Promise<void> {
    try {
      // One string attribute: memory maps are keyed by appliance names, which DynamoDB map keys
      // would accept, but a string keeps the item's size predictable (400 KB limit).
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [ALERT_TABLE.partitionKey]: MEMORY_ID_PREFIX + key,
            memory: JSON.stringify(part),
            savedAt: part.savedAt,
          },
        }),
      );
    } catch (err) {
      throw new MemoryStoreError(
        `cannot write cycle memory ${key} to ${this.tableName}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }
}
