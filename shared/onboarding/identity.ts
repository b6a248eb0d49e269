/**
 * Who a discovered appliance is: its inventory name, taken from what the peer says its host name
 * is (made safe and unique), and its role (ESA or SMA) from what it reports about itself.
 */
import type { ShowconfigFacts, StatusFacts } from '../asyncos/types';
import { printable } from '../text';

const NAME_CHARS = /[^A-Za-z0-9._-]+/g;

/** A valid appliance name from a peer-supplied host name: first label, inventory characters only. */
export function nameFrom(text: string): string | null {
  const label = printable(text).trim().replace(/\.$/, '').split('.')[0] ?? '';
  const clean = label
    .replace(NAME_CHARS, '')
    .replace(/^[._-]+/, '')
    .slice(0, 63);
  return clean === '' ? null : clean;
}

/** The role from `version` (Model/Product), then the status layout, then the PVO target. */
export function roleFrom(
  version: Record<string, string> | null,
  status: StatusFacts | null,
  showconfig: ShowconfigFacts | null,
): { role: 'esa' | 'sma'; source: string } | null {
  const model = version?.Model ?? '';
  const product = version?.Product ?? '';
  // Models: ESA C/X series (C390, C395, X1070, C100V...), SMA M series (M390, M600V...); product
  // names old and new (docs/onboarding.md, "What init reads").
  if (/Security Management|Email and Web Manager|Content Security Management/i.test(product))
    return { role: 'sma', source: `version: Product "${printable(product)}"` };
  if (/Email Security Appliance|Secure Email Gateway/i.test(product))
    return { role: 'esa', source: `version: Product "${printable(product)}"` };
  if (/^M\d/i.test(model)) return { role: 'sma', source: `version: Model ${printable(model)}` };
  if (/^[CX]\d/i.test(model)) return { role: 'esa', source: `version: Model ${printable(model)}` };
  if (status !== null)
    return { role: status.variant, source: `status: the ${status.variant.toUpperCase()} layout` };
  if (showconfig?.cpq?.host) return { role: 'esa', source: 'showconfig: a centralized quarantine target' };
  return null;
}

/** `base`, or `base-2`, `base-3`... when taken; the name chosen is marked taken. */
export function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
  taken.add(name);
  return name;
}
