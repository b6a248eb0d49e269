/**
 * The CDK app (`npx cdk synth -c inventory=FILE`): a bad inventory stops synth with the runtime's
 * error text and exit code 1, before anything is synthesised.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../shared/errors';
import { buildCpqMonitorApp } from './cpq-monitor-app';

const app = new App();
try {
  buildCpqMonitorApp(app);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  // Exit now: App's synth-on-exit would otherwise write an empty assembly.
  process.exit(1);
}
app.synth();
