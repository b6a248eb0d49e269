/** Waiting for something AWS does asynchronously (a log line, an alarm action), with the injected sleep. */

/** Time between two looks. */
export const POLL_MS = 10_000;

/** Polls until `found` returns true or the time is up. */
export async function waitFor(
  found: () => Promise<boolean>,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<boolean> {
  for (let waited = 0; ; waited += POLL_MS) {
    if (await found()) return true;
    if (waited >= timeoutMs) return false;
    await sleep(POLL_MS);
  }
}
