/** What the rules of one appliance gather: the findings raised and the ids of the checks evaluated. */
import type { Appliance } from '../inventory/schema';
import { findingId } from './ids';
import type { CheckName, Finding } from './types';

/** Findings and evaluated check ids for one appliance, in the order the rules add them. */
export class Collector {
  readonly findings: Finding[] = [];
  readonly checked: string[] = [];
  constructor(readonly a: Appliance) {}
  /** Records that `check` was evaluated for this appliance (raised or not). */
  check(check: CheckName): void {
    this.checked.push(findingId(check, this.a.name));
  }
  /** Adds a raised finding. */
  add(f: Finding): void {
    this.findings.push(f);
  }
}
