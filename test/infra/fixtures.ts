/** Inventories and stacks for the template tests (bundling skipped, as `cdk synth` would not be). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import { type Inventory, loadInventory, parseInventory } from '../../shared/inventory';

export const EXAMPLE_FILE = path.resolve(__dirname, '../../config/example.yaml');

/** config/example.yaml, validated by the runtime loader. */
export function exampleInventory(): Inventory {
  return loadInventory(EXAMPLE_FILE);
}

const created: string[] = [];
// Registered in the root scope of every test file that imports this module.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** An app that skips bundling (no esbuild run) and writes into a fresh temporary directory. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({
    outdir: tempDir('cpq-infra-'),
    context: { 'aws:cdk:bundling-stacks': [], ...context },
  });
}

/** The stack for an inventory, and its template. */
export function synth(inv: Inventory): { stack: CpqMonitorStack; template: Template } {
  const stack = new CpqMonitorStack(testApp(), 'CpqMonitor', {
    inventory: inv,
    inventorySource: 'test.yaml',
  });
  return { stack, template: Template.fromStack(stack) };
}

/** The schedules' properties, read from the nested stacks that hold them. */
export function scheduleProperties(stack: CpqMonitorStack): Record<string, unknown>[] {
  return stack.schedules.stacks.flatMap((nested) =>
    Object.values(Template.fromStack(nested).findResources('AWS::Scheduler::Schedule')).map(
      (r) => r.Properties as Record<string, unknown>,
    ),
  );
}

const HOST_KEY = 'SHA256:8Fq3k3Qe6yL2bq5mO8pQm4v0pJm9y3n3T2wq1g7Xc0Y';

/** A generated fleet: one SMA and `esas` ESAs on 10.30.x.y, all with SSH through one secret. */
export function fleetInventory(esas: number, deploy: Record<string, unknown> = {}): Inventory {
  const ssh = { user: 'mon', hostKeys: [HOST_KEY], credentials: { secretId: 'cpq/ssh' } };
  const appliances = [
    { name: 'sma0', role: 'sma', host: '10.30.0.1', ssh },
    ...Array.from({ length: esas }, (_, i) => ({
      name: `esa${i + 1}`,
      role: 'esa',
      host: `10.30.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`,
      quarantine: { sma: 'sma0' },
      ssh,
    })),
  ];
  return parseInventory({ appliances, deploy: { dynamoDbPrefixListId: 'pl-02cd2c6b', ...deploy } }, 'fleet');
}

/** The example inventory with `deploy` replaced by a function of it. */
export function withDeploy(
  inv: Inventory,
  change: (deploy: NonNullable<Inventory['deploy']>) => Record<string, unknown>,
): Inventory {
  return parseInventory({ ...inv, deploy: change(inv.deploy!) }, 'changed');
}
