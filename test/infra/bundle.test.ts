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
    expect(assets).toHaveLength(2); // the probe and SSH functions
    for (const dir of assets) {
      expect(existsSync(path.join(dir, 'index.js'))).toBe(true);
      expect(JSON.parse(readFileSync(path.join(dir, 'inventory.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(inv)),
      );
    }
  });
});
