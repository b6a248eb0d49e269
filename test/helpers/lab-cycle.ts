/**
 * What a cycle test against the lab needs: a world of config/lab.yaml on ephemeral ports that pages
 * on the first failure and recovers on the first success, file stores in a temporary directory, and
 * the pages and EMF lines as text the test reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type LabWorld, startLabWorld } from '../../lab/world';
import { ConsoleNotifier } from '../../shared/alerts/console-notifier';
import { ALL_PROBERS } from '../../shared/cycle/probers';
import type { CycleDeps } from '../../shared/cycle/run';
import { loadInventory } from '../../shared/inventory/load';
import type { Inventory } from '../../shared/inventory/schema';
import { EmfSink } from '../../shared/metrics/emf-sink';
import { FileAlertStore } from '../../shared/state/alerts/file';
import { FileMemoryStore } from '../../shared/state/memory/file';

const LAB = join(__dirname, '../../config/lab.yaml');

/** A text stream whose contents the test reads. */
export function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => {
    text += d.toString('utf8');
  });
  return {
    stream,
    take(): string {
      const t = text;
      text = '';
      return t;
    },
  };
}

export interface LabCycle {
  world: LabWorld;
  inventory: Inventory;
  dir: string;
  pages: ReturnType<typeof capture>;
  emf: ReturnType<typeof capture>;
  /** Everything but the credentials, which each test chooses. */
  deps: Omit<CycleDeps, 'credentials'>;
  close(): Promise<void>;
}

/** Starts the lab world (SSH password `password`) and the stores; `close` stops and removes them. */
export async function startLabCycle(password: string): Promise<LabCycle> {
  const template = loadInventory(LAB);
  // Page on the first failure and recover on the first success, whatever lab.yaml says later.
  template.alerting = { ...template.alerting, failuresBeforePage: 1, successesBeforeRecovery: 1 };
  const world = await startLabWorld(template, { ephemeralPorts: true, password });
  const dir = mkdtempSync(join(tmpdir(), 'cpq-cycle-'));
  const pages = capture();
  const emf = capture();
  return {
    world,
    inventory: world.inventory,
    dir,
    pages,
    emf,
    deps: {
      probers: ALL_PROBERS,
      store: new FileAlertStore(join(dir, 'alerts.json')),
      memory: new FileMemoryStore(join(dir, 'memory.json')),
      notifier: new ConsoleNotifier(pages.stream),
      sink: new EmfSink(emf.stream, { namespace: 'CPQMonitorTest' }),
    },
    async close() {
      await world.close();
      pages.stream.destroy();
      emf.stream.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
