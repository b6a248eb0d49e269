#!/usr/bin/env node
// Builds the cpq-monitor command: every TypeScript file the command can reach, transpiled one file
// at a time to CommonJS under dist/ (same tree), so a subcommand's modules are required only when
// that subcommand runs (a bundle would load them all at start). Type-checking is `npm run typecheck`.
//
// Run by `npm ci`/`npm install` (the `prepare` script), by `npm run build`, and before every Jest
// run (jest.config.js `globalSetup`), so the tests that spawn the command never run a stale build.
// A file is written only when its content changed, by writing a temporary file and renaming it over
// the old one, and files whose source is gone are removed: two test runs building at once never see
// a half-written or missing module.
const {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { dirname, join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist');
/** The folders the command's modules live in (bench/ and test/ run from source). */
const SOURCES = ['cli', 'shared', 'lab', 'infra'];

/** Every `.ts` file under a folder (declaration files excluded). */
function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** Writes `text` to `path` unless it already holds exactly that; atomic (rename over). */
function writeIfChanged(path, text) {
  try {
    if (statSync(path).size === text.length && readFileSync(path).equals(text)) return false;
  } catch {
    // absent: written below
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
  return true;
}

/** Transpiles the sources into dist/; returns how many files were written and removed. */
async function build() {
  const esbuild = require('esbuild');
  const entryPoints = SOURCES.flatMap((folder) => tsFiles(join(ROOT, folder)));
  const result = await esbuild.build({
    entryPoints,
    outdir: OUT,
    outbase: ROOT,
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import() becomes require(): Node's import() would need file extensions the sources leave out.
    supported: { 'dynamic-import': false },
    tsconfig: join(ROOT, 'tsconfig.json'),
    write: false,
    logLevel: 'error',
  });
  const wanted = new Set(result.outputFiles.map((file) => file.path));
  let written = 0;
  for (const file of result.outputFiles) {
    if (writeIfChanged(file.path, Buffer.from(file.contents))) written += 1;
  }
  let removed = 0;
  for (const path of filesUnder(OUT)) {
    if (!wanted.has(path) && !path.endsWith('.tmp')) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return { files: wanted.size, written, removed };
}

module.exports = { build, OUT };

if (require.main === module) {
  build().then(
    ({ files, written, removed }) => {
      const where = relative(process.cwd(), OUT) || '.';
      process.stdout.write(`built ${files} files into ${where}/ (${written} written, ${removed} removed)\n`);
    },
    (err) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
