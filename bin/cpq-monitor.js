#!/usr/bin/env node
// The cpq-monitor command: runs the build of cli/main.ts (dist/, made by `npm ci` through the
// `prepare` script, or `npm run build`); nothing is compiled at start (README, "How the command is built").

// Node 20.19+ is supported (README, "Supported Node versions"); the AWS SDK warns on every client
// it builds under Node < 22 that its releases after early 2027 will need Node 22. The locked SDK
// runs on Node 20, so that one notice is switched off by the SDK's own documented variable (an
// operator's explicit setting wins); every other warning still prints.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const main = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(
    `cpq-monitor is not built (${main} is missing): run "npm run build" (npm ci does it) in ${join(__dirname, '..')}\n`,
  );
  process.exit(3);
}
require(main);
