#!/usr/bin/env node
// The cpq-monitor command: runs cli/main.ts through tsx so the repository needs no build step.

// Node 20.19+ is supported (README, "Supported Node versions"); the AWS SDK warns on every client
// it builds under Node < 22 that its releases after early 2027 will need Node 22. The locked SDK
// runs on Node 20, so that one notice is switched off by the SDK's own documented variable (an
// operator's explicit setting wins); every other warning still prints.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
require('tsx/cjs/api').register();
require('../cli/main.ts');
