/**
 * Where a local monitor keeps its files: one rule for `check`, `silence`, `ack` and `alerts`.
 * The alert state file (alert records, silences and acks) is named after the inventory and sits
 * beside it (`dir/.cpq-monitor/inventory.yaml.state.json`), whatever directory the command runs
 * from; `--state FILE` chooses another. Everything else `check` writes by default sits beside the
 * state file: the cycle memory and the EMF lines (docs/alerts.md#where-local-state-lives).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../shared/errors';

/** The local files of one monitored inventory, as absolute paths. */
export interface LocalStateFiles {
  /** Alert records and the operators' silences and acks. */
  state: string;
  /** What a cycle remembers between runs (queue growth, log cursors, learned cipher lists). */
  memory: string;
  /** Where `check` appends its Embedded Metric Format lines unless `--emf` says otherwise. */
  emf: string;
}

/** The flags every local-state command takes. */
export interface StateFlags {
  inventory?: string;
  state?: string;
}

/**
 * The state file of an inventory: beside it, named after it, so two inventories never share
 * alerts and every command finds the same file wherever it runs from.
 */
export function stateFileOf(inventoryFile: string): string {
  const abs = resolve(inventoryFile);
  return join(dirname(abs), '.cpq-monitor', `${basename(abs)}.state.json`);
}

/** The cycle-memory file beside a state file (`x.state.json` → `x.state.memory.json`). */
export function memoryPathFor(statePath: string): string {
  return statePath.replace(/(\.json)?$/, '.memory.json');
}

/** The EMF file beside a state file (`x.state.json` → `x.metrics.emf.jsonl`). */
export function emfPathFor(statePath: string): string {
  return statePath.replace(/(\.state)?(\.json)?$/, '.metrics.emf.jsonl');
}

/**
 * The one decision: an explicit `--state` wins; otherwise the inventory's state file. Without
 * either there is no way to tell which monitor is meant, so the command says what to add.
 */
export function localStateFiles(flags: StateFlags): LocalStateFiles {
  let state: string;
  if (flags.state !== undefined) state = resolve(flags.state);
  else if (flags.inventory !== undefined) state = stateFileOf(flags.inventory);
  else {
    throw new ConfigError(
      'which local state? give --inventory FILE (its state file beside it, as `check` uses) or --state FILE; in AWS, --stack NAME or --table NAME',
    );
  }
  return { state, memory: memoryPathFor(state), emf: emfPathFor(state) };
}

/** How messages name the state file. */
export function stateFileLabel(path: string): string {
  return `state file ${path}`;
}
