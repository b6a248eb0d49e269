/**
 * Cycle memory in a local JSON file beside the state file (CLI, demo): one object, a part per
 * key. Written whole and atomically, one operation at a time (json-file.ts).
 */
import { type FailWith, JsonFile } from '../json-file';
import { type CyclePart, type MemoryStore, MemoryStoreError } from './store';

/** A MemoryStore in a JSON file (created on the first save). */
export class FileMemoryStore implements MemoryStore {
  private readonly file: JsonFile;

  constructor(readonly path: string) {
    const fail: FailWith = (m, cause) => new MemoryStoreError(m, { cause });
    this.file = new JsonFile(path, '', fail);
  }

  /** {@inheritDoc MemoryStore.load} */
  load(key: string): Promise<CyclePart | undefined> {
    return this.file.serial(async () => (await this.parts())[key]);
  }

  /** {@inheritDoc MemoryStore.save} */
  save(key: string, part: CyclePart): Promise<void> {
    return this.file.serial(async () => {
      // A file that is not memory is replaced: memory is rebuilt by the cycles, and keeping the
      // broken file would leave every later cycle without memory (load reports it once).
      const all = await this.parts({ replaceInvalid: true });
      all[key] = part;
      await this.file.write(all);
    });
  }

  private async parts(opts: { replaceInvalid?: boolean } = {}): Promise<Record<string, CyclePart>> {
    const doc = await this.file.read({ invalid: opts.replaceInvalid ? 'absent' : 'throw' });
    if (doc === undefined) return {};
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc))
      return doc as Record<string, CyclePart>;
    if (opts.replaceInvalid) return {};
    throw this.file.error('is not a cycle memory file: not a JSON object');
  }
}
