/** `init --out`: the inventory file is written where it says, never through a symbolic link. */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutFile, writeOutFile } from '../../../cli/out-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-out-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the --out file', () => {
  it('refuses a dangling symbolic link, and writes nothing where it points', () => {
    const target = join(dir, 'elsewhere.yaml');
    const link = join(dir, 'inventory.yaml');
    symlinkSync(target, link);
    for (const force of [false, true]) {
      expect(() => checkOutFile(link, force)).toThrow(/--out .*inventory\.yaml is a symbolic link/);
      expect(() => writeOutFile(link, 'appliances: []\n', force)).toThrow(/symbolic link/);
    }
    expect(() => readFileSync(target)).toThrow(/ENOENT/);
  });

  it('refuses a link to an existing file even with --force, leaving the file as it was', () => {
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me');
    const link = join(dir, 'inventory.yaml');
    symlinkSync(target, link);
    expect(() => writeOutFile(link, 'x', true)).toThrow(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('refuses an existing file without --force and overwrites it with --force', () => {
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, 'old');
    expect(() => checkOutFile(file, false)).toThrow(/exists: choose another file or add --force/);
    expect(() => writeOutFile(file, 'new', false)).toThrow(/exists/);
    writeOutFile(file, 'new', true);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });

  it('writes a new file', () => {
    const file = join(dir, 'inventory.yaml');
    checkOutFile(file, false);
    writeOutFile(file, 'fresh', false);
    expect(readFileSync(file, 'utf8')).toBe('fresh');
  });
});
