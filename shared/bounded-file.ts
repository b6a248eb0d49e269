/**
 * The one reader of files an operator names (inventories, CA bundles, saved command output): only
 * regular files, read in chunks that stop at a byte cap. The size `stat` reports is not trusted: a
 * device such as /dev/zero reports 0 and never ends, a FIFO blocks, a file may grow while read.
 * Limits and why: README.md, Inventory size.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { errorMessage } from './errors';

/** A file that was not read: `reason` is one sentence, without the file's name (callers add it). */
export class FileReadError extends Error {
  constructor(
    readonly reason: string,
    /** True when the file was refused only for holding more than the cap. */
    readonly tooLarge = false,
    /** The system's error code when the file could not be opened (`ENOENT`...). */
    readonly code?: string,
  ) {
    super(reason);
    this.name = 'FileReadError';
  }
}

const CHUNK = 64 * 1024;

/** What a non-regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Whole-MiB or KiB figure for messages. */
export function byteFigure(bytes: number): string {
  return bytes >= 1048576 ? `${+(bytes / 1048576).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The text of a regular file of at most `maxBytes` bytes (UTF-8). Throws FileReadError for a file
 * that cannot be opened, is not a regular file, or holds more than `maxBytes` bytes: reading
 * stops at the cap, so nothing larger is ever held in memory.
 */
export function readBoundedFile(path: string, maxBytes: number): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new FileReadError(
      `cannot open the file: ${errorMessage(err)}`,
      false,
      (err as NodeJS.ErrnoException).code,
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileReadError(`${kindOf(stats)}, not a regular file: name a file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes)
        throw new FileReadError(`the file is larger than ${byteFigure(maxBytes)}, the most accepted`, true);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw new FileReadError(`cannot read the file: ${errorMessage(err)}`);
  } finally {
    closeSync(fd);
  }
}
