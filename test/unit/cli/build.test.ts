/**
 * bin/build.js, which `npm ci`, `npm run build` and every Jest run use: the build mirrors the
 * sources under dist/, rewrites nothing unchanged (two runs building at once never see a
 * half-written module) and removes what no source produces any more (a deleted module cannot
 * linger and hide a broken import).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { build, OUT } = require('../../../bin/build.js') as {
  build(): Promise<{ files: number; written: number; removed: number }>;
  OUT: string;
};

it('writes one CommonJS file per source, lazy imports as require calls, and nothing when unchanged', async () => {
  await build();
  const again = await build();
  expect(again.written).toBe(0);
  expect(again.removed).toBe(0);
  const main = readFileSync(join(OUT, 'cli/main.js'), 'utf8');
  expect(main).toMatch(/require\("\.\/check"\)/);
  expect(main).not.toMatch(/\bimport\(/);
});

it('removes a file no source produces', async () => {
  const stale = join(OUT, 'cli/removed-since.js');
  writeFileSync(stale, 'module.exports = {};\n');
  const r = await build();
  expect(existsSync(stale)).toBe(false);
  expect(r.removed).toBe(1);
});
