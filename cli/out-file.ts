/**
 * A file a command writes with `--out`: never through a symbolic link (a dangling link would
 * create its target wherever it points, a live one would overwrite that file), and an existing
 * file only with `--force`.
 */
import { closeSync, constants, lstatSync, openSync, writeFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '../shared/errors';

/** Throws a ConfigError when `path` is a symbolic link, or exists and `force` is not set. */
export function checkOutFile(path: string, force: boolean): void {
  let stat: ReturnType<typeof lstatSync> | undefined;
  try {
    stat = lstatSync(path);
  } catch {
    return; // Nothing there yet.
  }
  if (stat.isSymbolicLink()) {
    throw new ConfigError(
      `--out ${path} is a symbolic link: refusing to write through it; name the file itself`,
    );
  }
  if (!force) throw new ConfigError(`--out ${path} exists: choose another file or add --force`);
}

/** Writes `text` to `path` (mode 0644), refusing a symbolic link even if one appears meanwhile. */
export function writeOutFile(path: string, text: string, force: boolean): void {
  checkOutFile(path, force);
  const flag =
    constants.O_WRONLY |
    constants.O_CREAT |
    constants.O_NOFOLLOW |
    (force ? constants.O_TRUNC : constants.O_EXCL);
  try {
    const fd = openSync(path, flag, 0o644);
    try {
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ELOOP')
      throw new ConfigError(`--out ${path} is a symbolic link: refusing to write through it`);
    if (code === 'EEXIST') throw new ConfigError(`--out ${path} exists: choose another file or add --force`);
    throw new ConfigError(`--out ${path}: cannot write (${errorMessage(err)})`);
  }
}
