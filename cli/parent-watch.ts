/**
 * Notices that the process that started this one is gone. `npx cpq-monitor` runs the command as a
 * child of npx and does not forward signals to it, so a `kill -TERM` to npx would otherwise leave
 * the command running (and writing state) until its cycle ends. When the parent dies the command
 * is handed to another parent (its `ppid` changes); the caller then stops as on SIGTERM.
 */

/** How often the parent is looked at. */
export const PARENT_POLL_MS = 500;

/** Calls `onGone` once when the parent process goes away; returns a function that stops watching. */
export function watchParent(onGone: () => void, intervalMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  // Never keeps the command alive by itself.
  timer.unref();
  return () => clearInterval(timer);
}
