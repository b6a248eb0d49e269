/** The `lab --inventory` console: what an operator types to break and mend simulated appliances. */
import { join } from 'node:path';
import { labCommand, watchHint } from '../../../cli/lab-world';
import { type LabWorld, startLabWorld } from '../../../lab/world';
import { loadInventory } from '../../../shared/inventory/load';

const LAB = join(__dirname, '../../../config/lab.yaml');

let world: LabWorld;

beforeAll(async () => {
  world = await startLabWorld(loadInventory(LAB), { ephemeralPorts: true, password: 'console-pw' });
});

afterAll(async () => {
  await world.close();
});

describe('lab console', () => {
  it('judges the verb before the appliance name', async () => {
    await expect(labCommand(world, 'bogus cmd')).resolves.toBe(
      'unknown command "bogus" (help lists the commands)',
    );
    await expect(labCommand(world, 'bogus')).resolves.toBe(
      'unknown command "bogus" (help lists the commands)',
    );
  });

  it('names a missing appliance only for a known verb', async () => {
    await expect(labCommand(world, 'suspend nosuch')).rejects.toThrow(/nosuch/);
    await expect(labCommand(world, 'suspend')).resolves.toMatch(/needs an appliance name/);
  });

  it('still runs a known verb on a known appliance', async () => {
    await expect(labCommand(world, 'queue esa1 3')).resolves.toBe('esa1: CPQ queue 3 active recipients');
  });

  it('tells the reader a command that works without npm link', () => {
    expect(watchHint('config/lab.yaml')).toBe(
      'CPQ_LAB_PASSWORD=ironport npx cpq-monitor check --inventory config/lab.yaml --watch 10',
    );
  });
});
