/**
 * What the file backends share: one queue per file, so the operations of this process on a file
 * run one at a time (each reads the whole file, changes it and writes it back), and the atomic
 * write (a temporary file in the same directory renamed over the old one, so a crash never
 * leaves half a file). One file serves one process at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FileReadError, readBoundedFile } from '../bounded-file';
import { errorMessage } from '../errors';

/**
 * Largest state file read (256 MiB): far above what a 10,000-appliance fleet writes, low enough
 * that a wrong `--state` path (a device, a huge unrelated file) is refused instead of read until
 * memory runs out. Only regular files are read (README.md, Inventory size).
 */
export const MAX_STATE_FILE_BYTES = 256 * 1024 * 1024;

/** Makes the store's own error from a message and its cause. */
export type FailWith = (message: string, cause?: unknown) => Error;

/** Pending work by absolute path: every store on one file in this process shares its queue. */
const queues = new Map<string, Promise<unknown>>();

/** A JSON file of one store: its queue, its reads and its atomic writes. */
export class JsonFile {
  /** The file as absolute path: the key of its queue. */
  private readonly key: string;

  /** `label` prefixes the path in messages (`alert state `); `fail` makes the store's error. */
  constructor(
    readonly path: string,
    private readonly label: string,
    private readonly fail: FailWith,
  ) {
    this.key = resolve(path);
  }

  /** Runs `fn` once every earlier operation on this file (by any store of this process) has settled. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(this.key) ?? Promise.resolve()).then(fn, fn);
    const settled = run.catch(() => undefined);
    queues.set(this.key, settled);
    // The map keeps only files with work pending.
    void settled.then(() => {
      if (queues.get(this.key) === settled) queues.delete(this.key);
    });
    return run;
  }

  /**
   * The parsed file, or undefined when it does not exist; a file that cannot be read, or is not
   * JSON, is an error (or, with `invalid: 'absent'`, a file that is not JSON reads as absent).
   */
  async read(opts: { invalid?: 'throw' | 'absent' } = {}): Promise<unknown> {
    let text: string;
    try {
      text = readBoundedFile(this.path, MAX_STATE_FILE_BYTES);
    } catch (err) {
      if (err instanceof FileReadError && err.code === 'ENOENT') return undefined;
      throw this.fail(`cannot read ${this.label}${this.path}: ${errorMessage(err)}`, err);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (opts.invalid === 'absent') return undefined;
      throw this.fail(`${this.label}${this.path} is not valid JSON: ${errorMessage(err)}`, err);
    }
  }

  /** An error of this file's store, naming the file. */
  error(problem: string): Error {
    return this.fail(`${this.label}${this.path} ${problem}`);
  }

  /** Writes the file whole (mode 0600, the directory created): a reader never sees half of it. */
  async write(doc: object): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw this.fail(`cannot write ${this.label}${this.path}: ${errorMessage(err)}`, err);
    }
  }
}
