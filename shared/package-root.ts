/**
 * Where this package is installed. The command runs from its build (dist/, see README "How the
 * command is built") and the tests from the sources, so files shipped beside the code (package.json,
 * config/, lab/host-keys/) are found from the package root rather than from a module's own folder.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The folder holding cpq-monitor's package.json: the first one above this module. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  root = dir;
  return root;
}
