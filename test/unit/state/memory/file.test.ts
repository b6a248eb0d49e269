/** Cycle memory in a local JSON file: round trips, atomic writes, and files that are not memory. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMemoryStore } from '../../../../shared/state/memory/file';
import { MemoryStoreError } from '../../../../shared/state/memory/store';
import { PROBE_PART, SSH_PART } from './parts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-mem-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileMemoryStore', () => {
  it('has nothing for a file that does not exist yet', async () => {
    await expect(new FileMemoryStore(join(dir, 'none.json')).load('probe/all')).resolves.toBeUndefined();
  });

  it('round-trips each key, across instances, creating the directory and leaving no temp file', async () => {
    const path = join(dir, 'nested', 'state.memory.json');
    const writer = new FileMemoryStore(path);
    // Two cycle kinds saving at once: the writes are serialised, neither is lost.
    await Promise.all([writer.save('probe/all', PROBE_PART), writer.save('ssh/all', SSH_PART)]);

    const reader = new FileMemoryStore(path);
    await expect(reader.load('probe/all')).resolves.toEqual(PROBE_PART);
    await expect(reader.load('ssh/all')).resolves.toEqual(SSH_PART);
    await expect(reader.load('ssh/shard-0-of-2')).resolves.toBeUndefined();
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.memory.json']);

    await reader.save('probe/all', { ...PROBE_PART, savedAt: '2026-01-01T00:01:05.000Z' });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')) as object).sort()).toEqual([
      'probe/all',
      'ssh/all',
    ]);
    await expect(writer.load('probe/all')).resolves.toMatchObject({ savedAt: '2026-01-01T00:01:05.000Z' });
  });

  it('reports a file that is not JSON, or not readable, as a MemoryStoreError naming it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"probe/all": ');
    const err = await new FileMemoryStore(bad).load('probe/all').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemoryStoreError);
    expect(err).toMatchObject({
      code: 'memory_store_failed',
      message: expect.stringContaining(`${bad} is not valid JSON`),
    });

    const aDirectory = join(dir, 'is-a-dir');
    mkdirSync(aDirectory);
    const unreadable = await new FileMemoryStore(aDirectory).load('probe/all').catch((e: unknown) => e);
    expect(unreadable).toBeInstanceOf(MemoryStoreError);
    expect((unreadable as Error).message).toContain(`cannot read ${aDirectory}`);
  });

  it('a save replaces a file that is not a JSON object, so later cycles have memory again', async () => {
    for (const broken of ['{"probe/all": ', 'null', '[1, 2]']) {
      const path = join(dir, 'broken.json');
      writeFileSync(path, broken);
      const store = new FileMemoryStore(path);
      await expect(store.load('probe/all')).rejects.toBeInstanceOf(MemoryStoreError);
      await store.save('ssh/all', SSH_PART);
      await expect(store.load('ssh/all')).resolves.toEqual(SSH_PART);
      await expect(store.load('probe/all')).resolves.toBeUndefined();
    }
  });

  it('a failed operation does not block the next one', async () => {
    const path = join(dir, 'm.json');
    writeFileSync(path, 'garbage');
    const store = new FileMemoryStore(path);
    await expect(store.load('probe/all')).rejects.toBeInstanceOf(MemoryStoreError);
    writeFileSync(path, '{}');
    await expect(store.load('probe/all')).resolves.toBeUndefined();
  });
});
