import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, errorMessage } from '../errors';
import { type Inventory, inventorySchema } from './schema';

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
  const result = inventorySchema.safeParse(doc ?? {});
  if (!result.success) throw new InventoryError(source, result.error.issues.map(formatIssue));
  return result.data;
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseInventoryText(text: string, source: string): Inventory {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new InventoryError(source, [`not valid YAML/JSON: ${errorMessage(err)}`]);
  }
  return parseInventory(doc, source);
}

/**
 * Parses machine-written JSON (the inventory bundled into the Lambdas) and validates it. JSON.parse
 * reads a 10,000-appliance inventory (3 MB) in about 0.25 s where the YAML parser needs over 10 s,
 * which a cold start cannot afford; hand-written files go through `parseInventoryText`.
 */
export function parseInventoryJson(text: string, source: string): Inventory {
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
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InventoryError(file, [`cannot read the file: ${errorMessage(err)}`]);
  }
  return parseInventoryText(text, file);
}
