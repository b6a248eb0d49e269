import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileReadError, readBoundedFile } from '../../shared/bounded-file';

function refusal(fn: () => unknown): FileReadError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FileReadError) return err;
    throw err;
  }
  throw new Error('the file was read');
}

describe('readBoundedFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpq-bounded-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file of exactly the cap, as UTF-8', () => {
    const file = join(dir, 'ok.txt');
    writeFileSync(file, 'héllo'); // 6 bytes
    expect(readBoundedFile(file, 6)).toBe('héllo');
  });

  it('refuses a file one byte over the cap, saying so', () => {
    const file = join(dir, 'big.txt');
    writeFileSync(file, Buffer.alloc(1025, 0x61));
    const err = refusal(() => readBoundedFile(file, 1024));
    expect(err.tooLarge).toBe(true);
    expect(err.reason).toBe('the file is larger than 1 KiB, the most accepted');
  });

  it('refuses /dev/zero (a device whose size reads as 0 and never ends) without reading it', () => {
    const err = refusal(() => readBoundedFile('/dev/zero', 8 * 1024 * 1024));
    expect(err.reason).toBe('a character device, not a regular file: name a file');
    expect(err.tooLarge).toBe(false);
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => readBoundedFile(fifo, 1024)).reason).toBe(
      'a FIFO (named pipe), not a regular file: name a file',
    );
  });

  it('refuses a directory and names why a missing file cannot be read', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(refusal(() => readBoundedFile(sub, 1024)).reason).toBe(
      'a directory, not a regular file: name a file',
    );
    expect(refusal(() => readBoundedFile(join(dir, 'missing'), 1024)).reason).toMatch(
      /^cannot open the file: .*ENOENT/,
    );
  });
});
