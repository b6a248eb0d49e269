import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InventoryError,
  loadInventory,
  MAX_INVENTORY_APPLIANCES,
  MAX_INVENTORY_BYTES,
  parseInventory,
  parseInventoryText,
} from '../../../shared/inventory/load';

function appliances(n: number) {
  return Array.from({ length: n }, (_, i) => ({ name: `sma${i}`, role: 'sma', host: `sma${i}.example.com` }));
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InventoryError) return err.problems;
    throw err;
  }
  throw new Error('no InventoryError');
}

describe('inventory size caps', () => {
  it(`accepts exactly ${MAX_INVENTORY_APPLIANCES} appliances and refuses one more, naming the cap`, () => {
    expect(
      parseInventory({ appliances: appliances(MAX_INVENTORY_APPLIANCES) }, 'inv').appliances,
    ).toHaveLength(MAX_INVENTORY_APPLIANCES);
    expect(
      problems(() => parseInventory({ appliances: appliances(MAX_INVENTORY_APPLIANCES + 1) }, 'inv')),
    ).toEqual([
      'appliances: 10,001 listed; an inventory may list at most 10,000 (see README.md, Inventory size): split the fleet into several inventories (one stack each)',
    ]);
  });

  it('refuses an oversized text before parsing it (the text is not even YAML)', () => {
    const text = `appliances: [${'x'.repeat(MAX_INVENTORY_BYTES)}`;
    const [p] = problems(() => parseInventoryText(text, 'inv.yaml'));
    expect(p).toMatch(/^the file is 8\.0 MiB; an inventory may be at most 8 MiB \(10,000 appliances at most/);
  });

  it('refuses an oversized file from its size, and loads JSON text through the JSON parser', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpq-inv-'));
    try {
      const big = join(dir, 'big.yaml');
      writeFileSync(big, Buffer.alloc(MAX_INVENTORY_BYTES + 1, 0x20));
      expect(problems(() => loadInventory(big))[0]).toMatch(
        /^the file is 8\.0 MiB; an inventory may be at most 8 MiB/,
      );
      const json = join(dir, 'inv.json');
      writeFileSync(json, JSON.stringify({ appliances: appliances(3) }));
      expect(loadInventory(json).appliances.map((a) => a.name)).toEqual(['sma0', 'sma1', 'sma2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('every inventory problem at once', () => {
  const text = [
    'monitor:',
    '  concurency: 8',
    'appliances:',
    '  - name: sma1',
    '    role: sma',
    '    host: sma1.example.com',
    '  - name: esa1',
    '    role: esa',
    '    host: esa1.example.com',
    '    quarantine: { sma: sma9 }',
    '  - name: esa3',
    '    role: esa',
    '    host: esa3.example.com',
    '    ssh: { port: 99999 }',
    'maintenance:',
    '  - appliance: esa1',
    "    start: '2026-06-02T10:00:00Z'",
    "    end: '2026-06-02T09:00:00Z'",
    '',
  ].join('\n');

  it('lists field errors and cross-field problems together, with names, lines and the closest key', () => {
    const got = problems(() => parseInventoryText(text, 'inv.yaml'));
    expect(got).toEqual(
      expect.arrayContaining([
        'monitor (line 2): unknown key(s) "concurency" (did you mean "concurrency"?)',
        expect.stringMatching(/^appliances\[2\] \(esa3\)\.ssh\.port \(line 14\): /),
        'appliances[1] (esa1).quarantine.sma (line 10): "sma9" is not an appliance with role sma in this inventory',
        'maintenance[0].end (line 18): end must be after start',
      ]),
    );
    // Each problem once: the cross-field checks run on the raw document only while fields fail.
    expect(new Set(got).size).toBe(got.length);
  });
});
