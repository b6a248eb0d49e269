/** Jest: TypeScript through SWC (type-checking is `npm run typecheck`). */

// The tests build AWS SDK clients in-process: on Node < 22 the SDK's notice that its 2027 releases
// need Node 22 would print once per worker. Switched off by the SDK's documented variable, as
// bin/cpq-monitor.js does for the command; test/helpers/run-cli.ts does not pass it
// on, so the command's own switch stays tested.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only packages are transformed to CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|p-limit|yocto-queue)/)'],
  testTimeout: 30000,
  // The tests that spawn the command run its build (dist/): rebuilt before every run, so a stale
  // build never hides a change (only changed files are rewritten; see bin/build.js).
  globalSetup: '<rootDir>/test/helpers/build-command.ts',
  // Integration tests open sockets on loopback; two workers fit this two-core machine.
  maxWorkers: 2,
};
