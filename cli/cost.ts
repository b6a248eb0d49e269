/** `cpq-monitor cost`: the monthly AWS estimate of an inventory, from the arithmetic docs/deploy.md uses. */
import type { Command } from 'commander';
import { estimateMonthlyCost, formatEstimate } from '../infra/cost/estimate';
import { deployProblems } from '../infra/deploy-plan';
import { EXIT } from '../shared/errors';
import { InventoryError, loadInventory } from '../shared/inventory/load';
import { printJson, println } from './output';

/** Registers `cost` on the program. */
export function register(program: Command): void {
  program
    .command('cost')
    .description('Print the monthly AWS cost estimate of deploying an inventory (us-east-1 list prices)')
    .requiredOption('--inventory <file>', 'inventory file (YAML or JSON)')
    .option('--json', 'print { appliances, lines: [{ item, basis, usd }], total, totalWithoutEndpoints }')
    .action((flags: { inventory: string; json?: boolean }) => {
      const inventory = loadInventory(flags.inventory);
      // What `cdk synth` refuses cannot be deployed, so it has no price: the same check, the same
      // message (infra/stacks/cpq-monitor-stack.ts runs deployProblems before building anything).
      const problems = deployProblems(inventory);
      if (problems.length > 0) throw new InventoryError(flags.inventory, problems);
      const estimate = estimateMonthlyCost(inventory);
      if (flags.json) printJson(estimate, 2);
      else println(formatEstimate(estimate));
      process.exitCode = EXIT.ok;
    });
}
