/**
 * The operators' documents in the local state file (the one `check --state` uses), in its
 * `operator` section. Each write re-reads the file and writes a complete new one (json-file.ts),
 * so the alert records a running `check` wrote meanwhile are kept.
 */
import { readStateFile } from '../alerts/file';
import { type FailWith, JsonFile } from '../json-file';
import {
  type OperatorDoc,
  type OperatorDocs,
  type OperatorKind,
  type OperatorStore,
  OperatorStoreError,
} from './store';

/** An OperatorStore in the state file (created on the first write). */
export class FileOperatorStore implements OperatorStore {
  private readonly file: JsonFile;

  constructor(readonly path: string) {
    const fail: FailWith = (m, cause) => new OperatorStoreError(m, { cause });
    this.file = new JsonFile(path, '', fail);
  }

  /** {@inheritDoc OperatorStore.read} */
  read<K extends OperatorKind>(kind: K): Promise<OperatorDoc<OperatorDocs[K]>> {
    return this.file.serial(async () => {
      const doc = (await readStateFile(this.file)).operator?.[kind];
      return (doc as OperatorDoc<OperatorDocs[K]> | undefined) ?? { version: 0, items: [] };
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
      const current = file.operator?.[kind] as OperatorDoc<unknown> | undefined;
      if ((current?.version ?? 0) !== expectedVersion) return 'conflict';
      file.operator = { ...file.operator, [kind]: { version: expectedVersion + 1, items } };
      await this.file.write(file);
      return 'written';
    });
  }
}
