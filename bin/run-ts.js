#!/usr/bin/env node
// Runs a TypeScript entry point of this repository without a build step (tsx's CommonJS hook).
require('tsx/cjs/api').register();
const path = require('node:path');
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: run-ts.js FILE.ts [args...]\n');
  process.exit(3);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
