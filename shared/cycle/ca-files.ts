/**
 * The CA bundles an inventory names (`tls.caFile`), read once per cycle however many listeners
 * share one. A file that cannot be read is a problem of the cycle, reported once: the listeners
 * are still probed, their certificates checked without it.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { errorMessage } from '../errors';

/**
 * A reader of CA files for one cycle: relative names resolve against `baseDir`; each file is read
 * at most once; an unreadable one gives undefined and one sentence to `problem`.
 */
export function caFileReader(
  baseDir: string,
  problem: (sentence: string) => void,
): (file: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      const path = isAbsolute(file) ? file : resolve(baseDir, file);
      try {
        cache.set(file, readFileSync(path, 'utf8'));
      } catch (err) {
        problem(`cannot read CA file ${path}: ${errorMessage(err)}; certificates are checked without it`);
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}
