/**
 * Where an appliance's SSH secret comes from: Secrets Manager in AWS, an environment variable or
 * a key file locally. Secrets are returned to the reader and never logged.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SshAuth } from '../asyncos/types';
import { CpqMonitorError, errorMessage } from '../errors';
import type { Appliance } from '../inventory/schema';

/** The SSH secret of an appliance could not be obtained (the monitor's problem, not the appliance's). */
export class CredentialsError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('credentials_unavailable', message, options);
  }
}

/**
 * Gives the SSH authentication of an appliance that has `ssh` settings. `refused`: the auth the
 * appliance just refused; a cached secret that gave it is fetched again (rotation), once however
 * many appliances sharing the secret report it.
 */
export type CredentialResolver = (appliance: Appliance, refused?: SshAuth) => Promise<SshAuth>;

export interface CredentialSources {
  /** Environment to read `passwordEnv`/`passphraseEnv` from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory that relative `keyFile` paths are resolved against (the inventory's). */
  baseDir?: string;
  /** Secrets Manager client; without one, `secretId` credentials fail with a clear error. */
  secretsManager?: SecretsManagerClient;
  /**
   * How long a fetched secret is reused (the inventory's `monitor.secretCacheMinutes`); default 60
   * minutes. A refused login refetches at once, so rotation does not wait for it.
   */
  secretTtlMs?: number;
  now?: () => number;
}

/** Parses a secret: JSON `{password}` or `{privateKey, passphrase?}`, or the plain text as a password. */
export function authFromSecret(secretId: string, text: string): SshAuth {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      throw new CredentialsError(`secret ${secretId} looks like JSON but does not parse`);
    }
    const o = doc as Record<string, unknown>;
    if (typeof o.privateKey === 'string' && o.privateKey.length > 0) {
      return typeof o.passphrase === 'string'
        ? { privateKey: o.privateKey, passphrase: o.passphrase }
        : { privateKey: o.privateKey };
    }
    if (typeof o.password === 'string' && o.password.length > 0) return { password: o.password };
    throw new CredentialsError(
      `secret ${secretId} has neither a "password" nor a "privateKey" string field (found: ${Object.keys(o).join(', ') || 'none'})`,
    );
  }
  if (trimmed.length === 0) throw new CredentialsError(`secret ${secretId} is empty`);
  return { password: text };
}

/** A resolver over every source the inventory allows, with a cache for Secrets Manager. */
export function credentialResolver(sources: CredentialSources = {}): CredentialResolver {
  const env = sources.env ?? process.env;
  const ttl = sources.secretTtlMs ?? 3_600_000;
  const now = sources.now ?? Date.now;
  const cache = new Map<string, { at: number; auth: Promise<SshAuth>; value?: SshAuth }>();

  const fromSecretsManager = (secretId: string, refused?: SshAuth): Promise<SshAuth> => {
    const client = sources.secretsManager;
    if (client === undefined) {
      return Promise.reject(
        new CredentialsError(
          `credentials come from Secrets Manager secret ${secretId}, but no AWS client is configured here (use passwordEnv or keyFile for local runs)`,
        ),
      );
    }
    const hit = cache.get(secretId);
    // A refused login drops the entry only if it is the one that was refused: when several
    // appliances share a secret, the first refusal refetches and the others reuse that fetch.
    const stale = refused !== undefined && hit !== undefined && hit.value === refused;
    if (hit !== undefined && !stale && now() - hit.at < ttl) return hit.auth;
    const auth = client.send(new GetSecretValueCommand({ SecretId: secretId })).then(
      (res) => {
        if (res.SecretString === undefined)
          throw new CredentialsError(`secret ${secretId} has no SecretString`);
        return authFromSecret(secretId, res.SecretString);
      },
      (err: unknown) => {
        const name = (err as { name?: string }).name ?? 'Error';
        throw new CredentialsError(`cannot read secret ${secretId}: ${name}: ${errorMessage(err)}`, {
          cause: err,
        });
      },
    );
    // A failure is not cached: the next cycle asks again.
    const entry: { at: number; auth: Promise<SshAuth>; value?: SshAuth } = { at: now(), auth };
    auth.then(
      (value) => {
        entry.value = value;
      },
      () => {
        if (cache.get(secretId) === entry) cache.delete(secretId);
      },
    );
    cache.set(secretId, entry);
    return auth;
  };

  return async (appliance, refused) => {
    const c = appliance.ssh?.credentials;
    if (c === undefined) throw new CredentialsError(`${appliance.name} has no ssh settings`);
    if (c.secretId !== undefined) return fromSecretsManager(c.secretId, refused);
    if (c.passwordEnv !== undefined) {
      const password = env[c.passwordEnv];
      if (password === undefined || password === '') {
        throw new CredentialsError(
          `environment variable ${c.passwordEnv} (password of ${appliance.name}) is not set`,
        );
      }
      return { password };
    }
    if (c.keyFile !== undefined) {
      const path = isAbsolute(c.keyFile) ? c.keyFile : resolve(sources.baseDir ?? '.', c.keyFile);
      let privateKey: string;
      try {
        privateKey = await readFile(path, 'utf8');
      } catch (err) {
        throw new CredentialsError(
          `cannot read key file ${path} of ${appliance.name}: ${errorMessage(err)}`,
          {
            cause: err,
          },
        );
      }
      const passphrase = c.passphraseEnv !== undefined ? env[c.passphraseEnv] : undefined;
      if (c.passphraseEnv !== undefined && passphrase === undefined) {
        throw new CredentialsError(
          `environment variable ${c.passphraseEnv} (key passphrase of ${appliance.name}) is not set`,
        );
      }
      return passphrase !== undefined ? { privateKey, passphrase } : { privateKey };
    }
    throw new CredentialsError(`${appliance.name}: ssh.credentials names no source`);
  };
}
