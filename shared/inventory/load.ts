import { readFileSync, statSync } from 'node:fs';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, errorMessage } from '../errors';
import { type Inventory, inventorySchema } from './schema';

/** Most appliances one inventory may list: the supported fleet size (README.md, Inventory size). */
export const MAX_INVENTORY_APPLIANCES = 10_000;

/**
 * Largest inventory file read (8 MiB): a 10,000-appliance inventory written like
 * config/example.yaml is about 2.5 MB, so this leaves room for per-appliance settings while
 * refusing, before any parsing, a file whose parse alone would take seconds and hundreds of MB.
 */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;

function checkSize(bytes: number, source: string): void {
  if (bytes > MAX_INVENTORY_BYTES) {
    throw new InventoryError(source, [
      `the file is ${(bytes / 1048576).toFixed(1)} MiB; an inventory may be at most ${MAX_INVENTORY_BYTES / 1048576} MiB (${MAX_INVENTORY_APPLIANCES.toLocaleString('en-US')} appliances at most, see README.md, Inventory size): split the fleet into several inventories (one stack each)`,
    ]);
  }
}

/** Refuses a document listing more appliances than supported, before validating each of them. */
function checkCount(doc: unknown, source: string): void {
  const list = (doc as { appliances?: unknown } | null)?.appliances;
  if (Array.isArray(list) && list.length > MAX_INVENTORY_APPLIANCES) {
    throw new InventoryError(source, [
      `appliances: ${list.length.toLocaleString('en-US')} listed; an inventory may list at most ${MAX_INVENTORY_APPLIANCES.toLocaleString('en-US')} (see README.md, Inventory size): split the fleet into several inventories (one stack each)`,
    ]);
  }
}

/** An inventory that did not validate; `problems` lists `path: what was expected`, one per issue. */
export class InventoryError extends ConfigError {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid inventory:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys')
    return `${at}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${at}: ${issue.message}`;
}

/** Validates an already-parsed document; `source` names it in errors (a file path, `-c inventory`...). */
export function parseInventory(doc: unknown, source: string): Inventory {
  checkCount(doc, source);
  const result = inventorySchema.safeParse(doc ?? {});
  if (!result.success) throw new InventoryError(source, result.error.issues.map(formatIssue));
  return result.data;
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseInventoryText(text: string, source: string): Inventory {
  checkSize(Buffer.byteLength(text), source);
  return parseInventory(readYaml(text, source), source);
}

/**
 * The document in YAML or JSON text. js-yaml reads a 10,000-appliance inventory about ten times
 * faster than the `yaml` package (see `npm run bench -- inventory`); `yaml` is kept for text that
 * does not parse, for its precise messages. Both use the YAML 1.2 core schema and refuse
 * duplicate keys.
 */
function readYaml(text: string, source: string): unknown {
  try {
    return loadYaml(text, { schema: CORE_SCHEMA, filename: source });
  } catch {
    try {
      return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
    } catch (err) {
      throw new InventoryError(source, [`not valid YAML/JSON: ${errorMessage(err)}`]);
    }
  }
}

/**
 * Parses machine-written JSON (the inventory bundled into the Lambdas) and validates it. JSON.parse
 * reads a 10,000-appliance inventory (3 MB) in about 0.25 s where the YAML parser needs over 10 s,
 * which a cold start cannot afford; hand-written files go through `parseInventoryText`.
 */
export function parseInventoryJson(text: string, source: string): Inventory {
  checkSize(Buffer.byteLength(text), source);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InventoryError(source, [`not valid JSON: ${errorMessage(err)}`]);
  }
  return parseInventory(doc, source);
}

/** Reads, parses and validates an inventory file. */
export function loadInventory(file: string): Inventory {
  let text: string;
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch (err) {
    throw new InventoryError(file, [`cannot read the file: ${errorMessage(err)}`]);
  }
  // The size is checked before the file is read into memory.
  checkSize(bytes, file);
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InventoryError(file, [`cannot read the file: ${errorMessage(err)}`]);
  }
  return parseInventoryText(text, file);
}
