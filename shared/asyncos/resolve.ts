/**
 * The one name lookup before an SSH connection: an IP literal is used as it is, a host name is
 * resolved once, bounded by the session's deadline and the caller's signal.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { errorMessage } from '../errors';

/** Resolves a host name to one address (dns.lookup by default; a parameter so tests stay on loopback). */
export type LookupFn = (host: string) => Promise<{ address: string; family: number }>;

/** The address to connect to, or why there is none (`interrupted` when the signal fired first). */
export type Resolved = { ok: true; address: string } | { ok: false; interrupted: boolean; message: string };

/** Resolves `host` unless it is an IP literal; never throws. */
export async function resolveHost(
  host: string,
  timeoutMs: number,
  lookup: LookupFn = defaultLookup,
  signal?: AbortSignal,
): Promise<Resolved> {
  if (isIP(host) !== 0) return { ok: true, address: host };
  const resolved = await withDeadline(lookup(host), timeoutMs, signal);
  if (signal?.aborted) return { ok: false, interrupted: true, message: '' };
  if (resolved.ok) return { ok: true, address: resolved.value.address };
  const code = (resolved.error as NodeJS.ErrnoException | undefined)?.code;
  const why = resolved.timedOut ? 'no answer in time' : (code ?? errorMessage(resolved.error));
  return { ok: false, interrupted: false, message: `cannot resolve ${host}: ${why}` };
}

async function defaultLookup(host: string): Promise<{ address: string; family: number }> {
  return dnsLookup(host);
}

type Deadlined<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error?: unknown };

/** `p`'s outcome, or a time-out after `ms`, or a failure as soon as `signal` aborts. */
async function withDeadline<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<Deadlined<T>> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<Deadlined<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, timedOut: true }), Math.max(1, ms));
    onAbort = () => resolve({ ok: false, timedOut: false, error: signal?.reason });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      p
        .then((value): Deadlined<T> => ({ ok: true, value }))
        .catch((error): Deadlined<T> => ({ ok: false, timedOut: false, error })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}
