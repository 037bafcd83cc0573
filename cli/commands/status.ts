/** `rexsweep status <sweep.yaml | sweep id>`: progress of a sweep, from its workflow's query. */
import type { Command } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { RexsweepError } from '../../recsys/errors.ts';
import type { SweepProgress } from '../../workflows/sweep.ts';
import { describeProgress } from '../format/sweep-table.ts';
import { finalProgress } from '../../client/final-progress.ts';
import { resolveSweep } from '../../client/resolve-sweep.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("show a sweep's progress (cells by state)")
    .argument('<sweep>', 'the sweep config file, or its sweep id')
    .option('--json', 'print the progress as JSON')
    .action(async (sweep: string, opts: { json?: boolean }) => {
      const { sweepId: id, workflowId } = await resolveSweep(sweep);
      const { connect } = await import('../../client/connect.ts');
      const conn = await connect(() => {});
      try {
        const handle = conn.client.workflow.getHandle(workflowId);
        const desc = await handle.describe();
        // A running sweep answers the query (which needs a worker polling its task queue); an
        // ended one's final progress is its result, or its failure's details.
        const p = desc.status.name === 'RUNNING' ? await queryOrExplain(handle, desc.taskQueue) : await finalProgress(handle);
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

async function queryOrExplain(handle: WorkflowHandle, taskQueue: string): Promise<SweepProgress> {
  const { progressQuery } = await import('../../workflows/sweep.ts');
  try {
    return await handle.query(progressQuery);
  } catch (err) {
    throw new RexsweepError(
      `the sweep's progress query was not answered (${(err as Error).message}); is a worker polling task queue ${taskQueue}? Start one with: rexsweep worker`,
    );
  }
}
