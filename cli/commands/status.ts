/** `rexsweep status <sweep.yaml | sweep id>`: progress of a sweep, from its workflow's query. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { sweepId } from '../../sweep/fingerprint.ts';
import { loadSweepFile } from '../../sweep/load.ts';
import { progressQuery } from '../../workflows/sweep.ts';
import { describeProgress } from '../format/sweep-table.ts';
import { connect } from '../sweep/connect.ts';
import { sweepWorkflowId } from '../sweep/start-sweep.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("show a sweep's progress (cells by state)")
    .argument('<sweep>', 'the sweep config file, or its sweep id')
    .option('--json', 'print the progress as JSON')
    .action(async (sweep: string, opts: { json?: boolean }) => {
      const id = existsSync(sweep) ? sweepId(await loadSweepFile(sweep)) : sweep;
      const conn = await connect(() => {});
      try {
        const handle = conn.client.workflow.getHandle(sweepWorkflowId(id));
        const desc = await handle.describe();
        const p = await handle.query(progressQuery);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ status: desc.status.name, ...p }) + '\n');
          return;
        }
        process.stdout.write(`sweep ${id} (${desc.status.name}): ${describeProgress(p, Date.now()).label}\n`);
        for (const f of p.failures) process.stdout.write(`  failed ${f.cellKey}: ${f.reason}\n`);
      } finally {
        await conn.close();
      }
    });
}
