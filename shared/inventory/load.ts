import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { LineCounter, parseDocument, parse as parseYaml } from 'yaml';
import { FileReadError, readBoundedFile } from '../bounded-file';
import { ConfigError, errorMessage } from '../errors';
import { clip } from '../text';
import { crossFieldProblems } from './cross-field';
import { LIST_CAPS } from './limits';
import { type Inventory, inventorySchema } from './schema';

/** Most appliances one inventory may list: the supported fleet size (README.md, Inventory size). */
export const MAX_INVENTORY_APPLIANCES = LIST_CAPS.appliances;

/**
 * Largest inventory file read (8 MiB): a 10,000-appliance inventory written like
 * config/example.yaml is about 2.5 MB, so this leaves room for per-appliance settings while
 * refusing, before any parsing, a file whose parse alone would take seconds and hundreds of MB.
 */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;

/** The problem of an inventory over MAX_INVENTORY_BYTES; `size` says how large it is. */
function tooLarge(size: string): string {
  return `the file is ${size}; an inventory may be at most ${MAX_INVENTORY_BYTES / 1048576} MiB (${MAX_INVENTORY_APPLIANCES.toLocaleString('en-US')} appliances at most, see README.md, Inventory size): split the fleet into several inventories (one stack each)`;
}

function checkSize(bytes: number, source: string): void {
  if (bytes > MAX_INVENTORY_BYTES)
    throw new InventoryError(source, [tooLarge(`${(bytes / 1048576).toFixed(1)} MiB`)]);
}

/**
 * Most values (scalars, lists, maps) a document may hold once its YAML aliases are expanded. A
 * 10,000-appliance inventory holds about 120,000; an alias repeats a node without repeating its
 * text, so a few hundred bytes of nested aliases can stand for billions of values, which every
 * later walk of the document (validation, bundling) would visit.
 */
export const MAX_INVENTORY_VALUES = 2_000_000;

/** Refuses a document whose expanded size exceeds MAX_INVENTORY_VALUES, counting at most that many. */
function checkExpansion(doc: unknown, source: string): void {
  const stack: unknown[] = [doc];
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (++count > MAX_INVENTORY_VALUES) {
      throw new InventoryError(source, [
        `the document expands to more than ${MAX_INVENTORY_VALUES.toLocaleString('en-US')} values (YAML aliases repeat the node they name each time they are used): write the values out, or use fewer aliases`,
      ]);
    }
    if (Array.isArray(node)) for (const v of node) stack.push(v);
    else if (typeof node === 'object' && node !== null) for (const v of Object.values(node)) stack.push(v);
  }
}

/**
 * Refuses a document whose top-level lists are longer than their caps from their lengths alone,
 * before any entry is validated or the document is walked.
 */
function checkCount(doc: unknown, source: string): void {
  const top = doc as { appliances?: unknown; maintenance?: unknown } | null;
  const list = top?.appliances;
  if (Array.isArray(list) && list.length > MAX_INVENTORY_APPLIANCES) {
    throw new InventoryError(source, [
      `appliances: ${list.length.toLocaleString('en-US')} listed; an inventory may list at most ${MAX_INVENTORY_APPLIANCES.toLocaleString('en-US')} (see README.md, Inventory size): split the fleet into several inventories (one stack each)`,
    ]);
  }
  const windows = top?.maintenance;
  if (Array.isArray(windows) && windows.length > LIST_CAPS.maintenance) {
    throw new InventoryError(source, [
      `maintenance: ${windows.length.toLocaleString('en-US')} windows listed; an inventory may list at most ${LIST_CAPS.maintenance.toLocaleString('en-US')} (see README.md, Inventory size): delete the windows that have ended`,
    ]);
  }
}

/** Most problems an InventoryError lists; the rest are counted ("and N more"). */
export const MAX_LISTED_PROBLEMS = 20;
/** Longest problem line kept (a value quoted in a message may be long). */
export const MAX_PROBLEM_CHARS = 300;

/** The problems to show: the first MAX_LISTED_PROBLEMS, each clipped, then a count of the rest. */
function listedProblems(problems: readonly string[], unlisted: number): string[] {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => clip(p, MAX_PROBLEM_CHARS));
  const rest = problems.length - shown.length + unlisted;
  if (rest > 0) shown.push(`and ${rest.toLocaleString('en-US')} more problem${rest === 1 ? '' : 's'}`);
  return shown;
}

/**
 * An inventory that did not validate; `problems` lists `path: what was expected`, one per issue,
 * bounded in count and length so a hostile file cannot flood the terminal or a log.
 */
export class InventoryError extends ConfigError {
  readonly problems: string[];
  constructor(
    readonly source: string,
    problems: readonly string[],
    unlisted = 0,
  ) {
    const listed = listedProblems(problems, unlisted);
    super(
      `${clip(source, MAX_PROBLEM_CHARS)}: invalid inventory:\n${listed.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = listed;
  }
}

/** Where a problem is: `appliances[2] (esa3).ssh.port`, naming an appliance by its name when it has one. */
function formatPath(path: ReadonlyArray<PropertyKey>, doc: unknown): string {
  let out = '';
  let node: unknown = doc;
  for (const key of path) {
    node =
      typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      const name = (node as { name?: unknown } | undefined)?.name;
      out += typeof name === 'string' && name !== '' ? `[${key}] (${name})` : `[${key}]`;
    } else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The keys the schema accepts at `path` (objects, arrays and optional/default wrappers walked). */
function knownKeys(path: ReadonlyArray<PropertyKey>): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are walked generically here.
  let def: any = (inventorySchema as any)._zod.def;
  const unwrap = () => {
    while (def && (def.innerType || def.in || def.type === 'pipe')) def = (def.innerType ?? def.in)?._zod.def;
  };
  for (const key of path) {
    unwrap();
    if (def?.type === 'array' && typeof key === 'number') def = def.element?._zod.def;
    else if (def?.type === 'object' && typeof key === 'string') def = def.shape?.[key]?._zod.def;
    else return [];
  }
  unwrap();
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function suggestion(key: string, path: ReadonlyArray<PropertyKey>): string {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of knownKeys(path)) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best === null ? '' : ` (did you mean "${best}"?)`;
}

function formatIssue(
  issue: { path: ReadonlyArray<PropertyKey>; message: string; keys?: string[]; code?: string },
  doc: unknown,
  lines: LineOf,
): string {
  const at = formatPath(issue.path, doc);
  const line = lines(issue.path);
  const where = line === null ? at : `${at} (line ${line})`;
  if (issue.code === 'unrecognized_keys' && issue.keys)
    return `${where}: unknown key(s) ${issue.keys.map((k) => `"${k}"${suggestion(k, issue.path)}`).join(', ')}`;
  return `${where}: ${issue.message}`;
}

/** The 1-based line of the node at a path, or null when unknown. */
type LineOf = (path: ReadonlyArray<PropertyKey>) => number | null;
const NO_LINES: LineOf = () => null;

/** Line numbers from the YAML text, computed only when there are problems to place. */
function linesOf(text: string): LineOf {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = document.getIn(path.slice(0, n) as PropertyKey[] as unknown[], true) as
        | { range?: number[] }
        | undefined;
      const offset = node?.range?.[0];
      if (typeof offset === 'number') return counter.linePos(offset).line;
    }
    return null;
  };
}

/** Validates an already-parsed document; `source` names it in errors (a file path, `-c inventory`...). */
export function parseInventory(doc: unknown, source: string, text?: string): Inventory {
  checkCount(doc, source);
  checkExpansion(doc, source);
  const result = inventorySchema.safeParse(doc ?? {});
  if (result.success) return result.data;
  // Field errors stop zod before its cross-field checks: run those on the raw document as well.
  const issues: Array<{ path: ReadonlyArray<PropertyKey>; message: string; keys?: string[]; code?: string }> =
    [...result.error.issues];
  const seen = new Set(issues.map((i) => `${i.path.join('.')}\0${i.message}`));
  for (const p of crossFieldProblems(doc)) if (!seen.has(`${p.path.join('.')}\0${p.message}`)) issues.push(p);
  const lines = text === undefined ? NO_LINES : linesOf(text);
  // Only the problems shown are formatted; the rest are counted.
  const shown = issues.slice(0, MAX_LISTED_PROBLEMS).map((i) => formatIssue(i, doc, lines));
  throw new InventoryError(source, shown, issues.length - shown.length);
}

/** Parses YAML or JSON text (JSON is YAML) and validates it. */
export function parseInventoryText(text: string, source: string): Inventory {
  checkSize(Buffer.byteLength(text), source);
  return parseInventory(readYaml(text, source), source, text);
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

/**
 * Reads, parses and validates an inventory file: a regular file of at most MAX_INVENTORY_BYTES,
 * read through the bounded reader (a device, FIFO or directory is refused before any read).
 */
export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readBoundedFile(file, MAX_INVENTORY_BYTES);
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    throw new InventoryError(file, [
      err.tooLarge ? tooLarge(`larger than ${MAX_INVENTORY_BYTES / 1048576} MiB`) : err.reason,
    ]);
  }
  return parseInventoryText(text, file);
}
