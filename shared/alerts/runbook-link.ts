/** Runbook links: the inventory's runbook base with a finding's anchor. */

/** The runbook link for an anchor: `base#anchor` (an existing fragment in `base` is replaced). */
export function runbookLink(base: string, anchor: string): string {
  const hash = base.indexOf('#');
  return `${hash < 0 ? base : base.slice(0, hash)}#${anchor}`;
}
