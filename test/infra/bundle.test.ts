import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import { exampleInventory } from './fixtures';

describe('function bundles (real esbuild run)', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cpq-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('ship the validated inventory, defaults filled in, as inventory.json next to the handler', () => {
    const inv = exampleInventory();
    const app = new App({ outdir });
    new CpqMonitorStack(app, 'CpqMonitor', { inventory: inv });
    app.synth();
    const assets = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(outdir, d));
    expect(assets).toHaveLength(3); // the probe and SSH functions, the alarm relay
    const cycles = assets.filter((dir) => existsSync(path.join(dir, 'inventory.json')));
    expect(cycles).toHaveLength(2);
    for (const dir of cycles) {
      expect(existsSync(path.join(dir, 'index.js'))).toBe(true);
      expect(JSON.parse(readFileSync(path.join(dir, 'inventory.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(inv)),
      );
    }
  });

  it('cold-start with the environment the stack sets (handler module loads, inventory parses)', () => {
    // Lambda unpacks the asset to /var/task: the stack's INVENTORY_FILE is the asset's inventory.json.
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets.length).toBeGreaterThan(0);
    for (const dir of assets.map((d) => path.join(outdir, d))) {
      const result = spawnSync(
        process.execPath,
        [
          '-e',
          "const m = require(process.argv[1]); if (typeof m.handler !== 'function') process.exit(2);",
          path.join(dir, 'index.js'),
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            // The Lambda runtime provides @aws-sdk/*; here the repository's copy does.
            NODE_PATH: path.resolve(__dirname, '../../node_modules'),
            AWS_REGION: 'us-east-1',
            INVENTORY_FILE: path.join(dir, 'inventory.json'),
            ALERT_TABLE_NAME: 'CpqMonitor-AlertState',
            ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:CpqMonitor-Topic',
            LOG_LEVEL: 'info',
            NODE_OPTIONS: '--enable-source-maps',
            // The alarm relay's (the cycle handlers ignore them).
            WATCHDOG_ALARMS: JSON.stringify({
              'CpqMonitor-probe-heartbeat-missing': {
                check: 'watchdog_probe_heartbeat_missing',
                severity: 'critical',
                anchor: 'watchdog-heartbeat-missing',
              },
            }),
            RUNBOOK_URL: 'docs/deploy.md',
          },
        },
      );
      // stderr may carry the SDK's warning about this machine's Node 20; an error would fail the status.
      expect({ status: result.status, error: /Error\b/.test(result.stderr) }).toEqual({
        status: 0,
        error: false,
      });
    }
  });
});
