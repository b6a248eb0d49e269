import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIST_CAPS } from '../../../shared/inventory/limits';
import {
  InventoryError,
  loadInventory,
  MAX_INVENTORY_APPLIANCES,
  MAX_INVENTORY_BYTES,
  MAX_INVENTORY_VALUES,
  MAX_LISTED_PROBLEMS,
  MAX_PROBLEM_CHARS,
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
        /^the file is larger than 8 MiB; an inventory may be at most 8 MiB \(10,000 appliances at most/,
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

describe('bounded input', () => {
  const sma = 'appliances:\n  - { name: sma1, role: sma, host: sma1.example.com }\n';

  it('refuses /dev/zero and a FIFO with a problem naming what the path is, without reading it', () => {
    expect(problems(() => loadInventory('/dev/zero'))).toEqual([
      'a character device, not a regular file: name a file',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cpq-inv-'));
    try {
      const fifo = join(dir, 'inv.fifo');
      execFileSync('mkfifo', [fifo]);
      expect(() => loadInventory(fifo)).toThrow(
        `${fifo}: invalid inventory:\n  - a FIFO (named pipe), not a regular file`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an alias bomb (nested aliases standing for billions of values) from its expanded size', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const text = `x-bomb:\n  ${levels.join('\n  ')}\n${sma}maintenance: *a9\n`;
    expect(text.length).toBeLessThan(1000);
    expect(problems(() => parseInventoryText(text, 'bomb.yaml'))).toEqual([
      `the document expands to more than ${MAX_INVENTORY_VALUES.toLocaleString('en-US')} values (YAML aliases repeat the node they name each time they are used): write the values out, or use fewer aliases`,
    ]);
  });

  it('refuses 1.4 million aliased maintenance entries with one short message', () => {
    const entry =
      '&w { appliance: sma1, start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z", reason: x }';
    const text = `${sma}maintenance:\n- ${entry}\n${'- *w\n'.repeat(1_400_000 - 1)}`;
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_INVENTORY_BYTES);
    let message = '';
    try {
      parseInventoryText(text, 'maint.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'maint.yaml: invalid inventory:\n  - maintenance: 1,400,000 windows listed; an inventory may list at most 1,000 (see README.md, Inventory size): delete the windows that have ended',
    );
  });

  it(`refuses a maintenance list over ${LIST_CAPS.maintenance} windows as a whole, and accepts ${LIST_CAPS.maintenance}`, () => {
    const window = {
      appliance: 'sma0',
      start: '2026-01-01T00:00:00Z',
      end: '2026-01-02T00:00:00Z',
      reason: 'x',
    };
    const doc = (n: number) => ({ appliances: appliances(1), maintenance: Array(n).fill(window) });
    expect(parseInventory(doc(LIST_CAPS.maintenance), 'inv').maintenance).toHaveLength(LIST_CAPS.maintenance);
    expect(problems(() => parseInventory(doc(LIST_CAPS.maintenance + 1), 'inv'))).toEqual([
      'maintenance: 1,001 windows listed; an inventory may list at most 1,000 (see README.md, Inventory size): delete the windows that have ended',
    ]);
  });

  it('caps every list of the schema: host keys, pins, subscriptions', () => {
    const key = `SHA256:${'A'.repeat(43)}`;
    const hostKeys = problems(() =>
      parseInventory(
        {
          appliances: [
            {
              name: 'sma0',
              role: 'sma',
              host: 'sma0.example.com',
              ssh: {
                user: 'u',
                hostKeys: Array(LIST_CAPS.hostKeys + 1).fill(key),
                credentials: { secretId: 's' },
              },
            },
          ],
        },
        'inv',
      ),
    );
    expect(hostKeys).toEqual([expect.stringMatching(/^appliances\[0\] \(sma0\)\.ssh\.hostKeys: .*8/)]);
    const pins = problems(() =>
      parseInventory(
        { appliances: appliances(1), tls: { pins: Array(LIST_CAPS.pins + 1).fill('a'.repeat(64)) } },
        'inv',
      ),
    );
    expect(pins).toEqual([expect.stringMatching(/^tls\.pins: .*16/)]);
    const subs = problems(() =>
      parseInventory(
        {
          appliances: appliances(1),
          deploy: { subscriptions: { email: Array(LIST_CAPS.subscriptions + 1).fill('a@example.com') } },
        },
        'inv',
      ),
    );
    expect(subs).toEqual([expect.stringMatching(/^deploy\.subscriptions\.email: .*50/)]);
  });

  it(`lists at most ${MAX_LISTED_PROBLEMS} problems, each clipped, then counts the rest`, () => {
    const bad = Array.from({ length: 500 }, (_, i) => ({
      name: `n${i}`,
      role: 'sma',
      host: `h${i}.example.com`,
      port: 'x'.repeat(5000),
    }));
    const found = problems(() => parseInventory({ appliances: bad }, 'inv'));
    expect(found).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    for (const p of found) expect(p.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
    expect(found.at(-1)).toBe('and 480 more problems');
  });
});
