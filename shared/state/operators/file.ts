/**
 * The operators' documents in the local state file (the one `check --state` uses), in its
 * `operator` section. Each write re-reads the file and writes a complete new one (json-file.ts),
 * so the alert records a running `check` wrote meanwhile are kept.
 */
import { readStateFile } from '../alerts/file';
import { type FailWith, JsonFile } from '../json-file';
import { type OperatorDocs, type OperatorKind, type OperatorStore, OperatorStoreError } from './store';
import { type CheckedDoc, checkOperatorDoc } from './validate';

/** An OperatorStore in the state file (created on the first write). */
export class FileOperatorStore implements OperatorStore {
  private readonly file: JsonFile;

  constructor(readonly path: string) {
    const fail: FailWith = (m, cause) => new OperatorStoreError(m, { cause });
    this.file = new JsonFile(path, '', fail);
  }

  /** {@inheritDoc OperatorStore.read} */
  read<K extends OperatorKind>(kind: K): Promise<CheckedDoc<OperatorDocs[K]>> {
    return this.file.serial(async () => {
      const operator = (await readStateFile(this.file)).operator;
      const raw = typeof operator === 'object' && operator !== null ? operator[kind] : undefined;
      return checkOperatorDoc(kind, raw, this.path);
    });
  }

  /** {@inheritDoc OperatorStore.write} */
  write<K extends OperatorKind>(
    kind: K,
    items: OperatorDocs[K][],
    expectedVersion: number,
  ): Promise<'written' | 'conflict'> {
    return this.file.serial(async () => {
      const file = await readStateFile(this.file);
      const operator = typeof file.operator === 'object' && file.operator !== null ? file.operator : {};
      if (checkOperatorDoc(kind, operator[kind], this.path).version !== expectedVersion) return 'conflict';
      file.operator = { ...operator, [kind]: { version: expectedVersion + 1, items } };
      await this.file.write(file);
      return 'written';
    });
  }
}
