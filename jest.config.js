/** Jest: TypeScript through SWC (type-checking is `npm run typecheck`). */
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
  // Integration tests open sockets on loopback; two workers fit this two-core machine.
  maxWorkers: 2,
};
