import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULTS, type Inventory } from '../../shared/inventory';

/** The inventory's log retention as CDK's enum (its values are the day counts; deployProblems checks the value). */
export function retentionDays(inv: Inventory): RetentionDays {
  return (inv.deploy?.logRetentionDays ?? DEFAULTS.logRetentionDays) as RetentionDays;
}
