/**
 * The CA bundles an inventory names (`tls.caFile`), read once per cycle however many listeners
 * share one. A file that cannot be read is a problem of the cycle, reported once: the listeners
 * are still probed, their certificates checked without it. Only the file's certificates are used;
 * one holding a private key is refused (docs/probe.md#ca-bundles).
 */
import { isAbsolute, resolve } from 'node:path';
import { errorMessage } from '../errors';
import { caBundleProblem, certificateBlocks, readCaFile } from '../tls/ca-bundle';

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
        const text = readCaFile(path);
        const refused = caBundleProblem(text);
        if (refused !== undefined) {
          problem(`CA file ${path} ${refused}; certificates are checked without it`);
          cache.set(file, undefined);
        } else {
          cache.set(file, certificateBlocks(text));
        }
      } catch (err) {
        problem(`cannot read CA file ${path}: ${errorMessage(err)}; certificates are checked without it`);
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}
