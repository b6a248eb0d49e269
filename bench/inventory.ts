/**
 * Inventory benchmark: loads a hand-written-style YAML inventory of 10,000 appliances (the
 * supported maximum, README.md) and its JSON form, printing size, time and peak RSS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory, MAX_INVENTORY_APPLIANCES } from '../shared/inventory/load';
import { type BenchSection, parseIntegerOptions, sampleRss } from './harness';

interface InventoryOptions {
  appliances: number;
  esasPerSma: number;
}

const DEFAULTS: InventoryOptions = { appliances: MAX_INVENTORY_APPLIANCES, esasPerSma: 19 };

/** An inventory in the style of config/example.yaml: one SMA then its ESAs, each with SSH pins. */
export function inventoryYaml(count: number, esasPerSma: number): string {
  const lines = ['monitor:', '  concurrency: 16', 'appliances:'];
  let sma = '';
  for (let i = 0; i < count; i++) {
    const isSma = i % (esasPerSma + 1) === 0;
    const name = isSma ? `sma${i}` : `esa${i}`;
    if (isSma) sma = name;
    lines.push(
      `  - name: ${name}`,
      `    role: ${isSma ? 'sma' : 'esa'}`,
      `    host: ${name}.mail.example.com`,
      ...(isSma ? [] : [`    quarantine: { sma: ${sma} }`]),
      '    ssh:',
      '      user: monitor',
      `      hostKeys: ["SHA256:${Buffer.alloc(32, i % 251)
        .toString('base64')
        .replace(/=+$/, '')}"]`,
      '      credentials: { secretId: cpq-monitor/ssh }',
    );
  }
  return `${lines.join('\n')}\n`;
}

function measure(label: string, file: string, bytes: number): void {
  const rss = sampleRss();
  const t0 = process.hrtime.bigint();
  const inv = loadInventory(file);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const peak = rss.stop();
  process.stdout.write(
    `${label}: ${inv.appliances.length} appliances, ${(bytes / 1e6).toFixed(2)} MB, loaded in ${ms.toFixed(0)} ms, peak RSS ${(peak / 1e6).toFixed(0)} MB (+${((peak - rss.before) / 1e6).toFixed(0)} MB)\n`,
  );
}

export const inventoryBench: BenchSection = {
  name: 'inventory',
  description: `load a ${MAX_INVENTORY_APPLIANCES.toLocaleString('en-US')}-appliance inventory, YAML and JSON (--appliances N --esas-per-sma N)`,
  async run(args) {
    const opts = parseIntegerOptions(
      'inventory',
      args,
      DEFAULTS,
      { '--appliances': 'appliances', '--esas-per-sma': 'esasPerSma' },
      1,
    );
    const dir = mkdtempSync(join(tmpdir(), 'cpq-inventory-bench-'));
    try {
      const yamlText = inventoryYaml(opts.appliances, opts.esasPerSma);
      const yamlFile = join(dir, 'inventory.yaml');
      writeFileSync(yamlFile, yamlText);
      measure('YAML', yamlFile, Buffer.byteLength(yamlText));
      const jsonFile = join(dir, 'inventory.json');
      const jsonText = JSON.stringify(loadInventory(yamlFile));
      writeFileSync(jsonFile, jsonText);
      measure('JSON', jsonFile, Buffer.byteLength(jsonText));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
