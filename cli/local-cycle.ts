/** The cycle's dependencies for runs outside AWS (check, demo): files for state, console and EMF for output. */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConsoleNotifier } from '../shared/alerts/console-notifier';
import type { Notifier } from '../shared/alerts/notifier';
import { awsClientConfig } from '../shared/aws/client-config';
import { credentialResolver } from '../shared/cycle/credentials';
import { ALL_PROBERS } from '../shared/cycle/probers';
import type { CycleDeps } from '../shared/cycle/run';
import type { Inventory } from '../shared/inventory/schema';
import { EmfSink } from '../shared/metrics/emf-sink';
import { FileAlertStore } from '../shared/state/alerts/file';
import { FileMemoryStore } from '../shared/state/memory/file';
import { FileOperatorStore } from '../shared/state/operators/file';
import { memoryPathFor } from './local-state';

export interface LocalCycleOptions {
  /** Alert state file; the cycle memory goes beside it (`<name>.memory.json`). */
  statePath: string;
  /** Where EMF lines go: a file path (appended) or a stream. */
  emf: string | NodeJS.WritableStream;
  notifier?: Notifier;
  /** Directory of the inventory (relative key files). */
  baseDir: string;
  env?: NodeJS.ProcessEnv;
}

/** Builds file-backed dependencies; a Secrets Manager client only when the inventory names secrets. */
export function localCycleDeps(
  inv: Inventory,
  opts: LocalCycleOptions,
): CycleDeps & { close(): Promise<void> } {
  let emfStream: NodeJS.WritableStream;
  let close = async () => {};
  if (typeof opts.emf === 'string') {
    mkdirSync(dirname(opts.emf), { recursive: true });
    const file = createWriteStream(opts.emf, { flags: 'a' });
    emfStream = file;
    close = () => new Promise<void>((resolve) => file.end(() => resolve()));
  } else {
    emfStream = opts.emf;
  }
  const usesSecrets = inv.appliances.some((a) => a.ssh?.credentials.secretId !== undefined);
  return {
    probers: ALL_PROBERS,
    store: new FileAlertStore(opts.statePath),
    memory: new FileMemoryStore(memoryPathFor(opts.statePath)),
    operators: new FileOperatorStore(opts.statePath),
    notifier: opts.notifier ?? new ConsoleNotifier(process.stdout),
    sink: new EmfSink(emfStream, { namespace: inv.monitor.namespace }),
    credentials: credentialResolver({
      baseDir: opts.baseDir,
      ...(opts.env !== undefined ? { env: opts.env } : {}),
      ...(usesSecrets ? { secretsManager: new SecretsManagerClient(awsClientConfig()) } : {}),
    }),
    close,
  };
}
