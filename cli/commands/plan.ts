/**
 * `rexsweep plan <sweep.yaml> [--json]`: what a sweep would run, before anything runs: cells by
 * dataset × model (vanilla and defended), evaluations per cell, and a rough cost estimate.
 */
import type { Command } from 'commander';
import { loadSweepFile } from '../../sweep/load.ts';
import { planSweep } from '../../sweep/plan.ts';
import { formatPlan } from '../../sweep/plan-format.ts';
import { findPreparedSizes } from '../../client/prepared-sizes.ts';
import { preflightSweep } from '../preflight.ts';

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('count the cells of a sweep (by dataset and model) and estimate their cost; runs nothing')
    .argument('<sweep.yaml>', 'sweep config (see configs/demo.yaml)')
    .option('--json', 'print one JSON object instead of the table')
    .action(async (file: string, opts: { json?: boolean }) => {
      const sweep = await loadSweepFile(file);
      const sizes = await findPreparedSizes(sweep);
      // A cell that cannot fit a worker's memory is bad input here too (cli/preflight.ts).
      preflightSweep(sweep, file, sizes);
      const plan = planSweep(sweep, sizes);
      process.stdout.write(opts.json ? JSON.stringify(plan) + '\n' : formatPlan(plan) + '\n');
    });
}
