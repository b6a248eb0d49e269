/** Jest's global setup: builds the command (bin/build.js) so every spawned `cpq-monitor` runs the current sources. */
export default async function buildCommand(): Promise<void> {
  const { build } = require('../../bin/build.js') as { build(): Promise<unknown> };
  await build();
}
