/**
 * One SSH read with the appliance's credentials, and the one retry a rotated secret earns: a
 * login refused with a cached Secrets Manager secret may be a rotated password, so the secret is
 * fetched again and the read retried once in the same cycle (docs/deploy.md, "SSH secrets: cache
 * and rotation"). Only a second refusal, with the fresh secret, is reported.
 */
import type { ReadResult, SshAuth } from '../asyncos/types';
import { DeadlineError } from '../aws/client-config';
import { errorMessage } from '../errors';
import { CREDENTIALS_UNAVAILABLE_SEVERITY } from '../findings/credential-rules';
import type { Appliance } from '../inventory/schema';
import { type CredentialResolver, CredentialsError } from './credentials';

/** Reads with the given login within `timeoutMs` (the SSH reader, bound to one appliance). */
export type ReadWith = (auth: SshAuth, timeoutMs: number) => Promise<ReadResult>;

/**
 * The read of `a` with its credentials, retried once with a fresh secret when the first login is
 * refused. A secret store that fails or does not answer in time gives a `credentials_unavailable`
 * result: the appliance was never contacted, and the result says why.
 */
export async function readWithCredentials(
  a: Appliance,
  credentials: CredentialResolver,
  read: ReadWith,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ReadResult> {
  const ssh = a.ssh!;
  const startedAt = new Date().toISOString();
  let auth: SshAuth;
  try {
    // A secret store that never answers must not hold the read past its time.
    auth = await beforeDeadline(credentials(a), Date.now() + timeoutMs, signal);
  } catch (err) {
    const why =
      err instanceof CredentialsError ? err.message : `cannot get credentials: ${errorMessage(err)}`;
    return {
      host: a.host,
      port: ssh.port,
      // The finding's severity, so the read result and the page it raises agree.
      status: CREDENTIALS_UNAVAILABLE_SEVERITY,
      code: 'credentials_unavailable',
      message: `No SSH login was attempted: ${why}.`,
      hostKey: null,
      startedAt,
      timings: { totalMs: 0 },
      commands: {},
    };
  }
  const started = Date.now();
  const first = await read(auth, timeoutMs);
  if (first.code !== 'auth_failed' || ssh.credentials.secretId === undefined) return first;
  const left = timeoutMs - (Date.now() - started);
  if (left <= 0 || signal.aborted) return first;
  let fresh: SshAuth;
  try {
    fresh = await beforeDeadline(credentials(a, auth), Date.now() + left, signal);
  } catch {
    return first;
  }
  // The same secret as before: the login was refused for another reason; do not knock twice.
  if (JSON.stringify(fresh) === JSON.stringify(auth)) return first;
  return read(fresh, left);
}

/**
 * The promise's value, or a DeadlineError once `deadline` passes, or the abort reason once
 * `signal` is aborted. For calls that take no abort signal; whatever they still do afterwards is
 * bounded by their own timeouts.
 */
function beforeDeadline<T>(p: Promise<T>, deadline: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      settle();
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        settle();
        reject(new DeadlineError(deadline));
      },
      Math.max(0, deadline - Date.now()),
    );
    p.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
