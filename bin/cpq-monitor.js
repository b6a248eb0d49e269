#!/usr/bin/env node
// The cpq-monitor command: runs cli/main.ts through tsx so the repository needs no build step.
require('tsx/cjs/api').register();
require('../cli/main.ts');
