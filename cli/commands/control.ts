/**
 * Steering a running sweep: `rexsweep pause | resume | cancel | concurrency | rerun-failed`.
 * Each sends one Temporal update to the sweep workflow and prints the progress it answers. A
 * rejected update (say, resume while cancelling) changes nothing and exits 2.
 */
import type { Command } from 'commander';
import { ConfigError, InputError, RexsweepError } from '../../recsys/errors.ts';
import type { SweepProgress } from '../../workflows/sweep-control.ts';
import { describeProgress } from '../format/sweep-table.ts';
import { intOption, LIMITS } from '../options.ts';
import { resolveSweep } from '../../client/resolve-sweep.ts';

type Send = (handle: import('@temporalio/client').WorkflowHandle, control: typeof import('../../workflows/sweep-control.ts')) => Promise<SweepProgress>;

export function registerControlCommands(program: Command): void {
  const sweepArg = ['<sweep>', 'the sweep config file, or its sweep id'] as const;

  program
    .command('pause')
    .description('start no new cell; cells in flight go on')
    .argument(...sweepArg)
    .action((sweep: string) => control(sweep, 'pause', (h, c) => h.executeUpdate(c.pauseUpdate)));

  program
    .command('resume')
    .description('start cells again after a pause')
    .argument(...sweepArg)
    .action((sweep: string) => control(sweep, 'resume', (h, c) => h.executeUpdate(c.resumeUpdate)));

  program
    .command('cancel')
    .description('stop the sweep: no new cell starts; cells in flight finish (or, with --now, are cancelled and resume from their checkpoint on a later run)')
    .argument(...sweepArg)
    .option('--now', 'cancel the cells in flight too (their runs close KILLED)')
    .option('--reason <text>', 'why, recorded on the sweep')
    .action((sweep: string, opts: { now?: boolean; reason?: string }) =>
      control(sweep, 'cancel', (h, c) => h.executeUpdate(c.cancelUpdate, { args: [{ inFlight: opts.now ? 'cancel' : 'finish', reason: opts.reason }] })),
    );

  program
    .command('concurrency')
    .description('change the number of cells in flight')
    .argument(...sweepArg)
    .argument('<n>', 'cells in flight', intOption('<n>', 1, LIMITS.concurrency))
    .action((sweep: string, n: number) => control(sweep, 'concurrency', (h, c) => h.executeUpdate(c.setConcurrencyUpdate, { args: [n] })));

  program
    .command('rerun-failed')
    .description('run the failed and cancelled cells again (training resumes from their latest checkpoint unless --from-scratch)')
    .argument(...sweepArg)
    .option('--from-scratch', 'train from epoch 0, ignoring checkpoints')
    .action((sweep: string, opts: { fromScratch?: boolean }) =>
      control(sweep, 'rerun-failed', (h, c) => h.executeUpdate(c.rerunFailedUpdate, { args: [{ from: opts.fromScratch ? 'scratch' : 'checkpoint' }] })),
    );
}

async function control(arg: string, verb: string, send: Send): Promise<void> {
  const { sweepId, workflowId } = await resolveSweep(arg);
  const [{ connect }, controlDefs, { WorkflowUpdateFailedError }] = await Promise.all([
    import('../../client/connect.ts'),
    import('../../workflows/sweep-control.ts'),
    import('@temporalio/client'),
  ]);
  const conn = await connect(() => {});
  try {
    const handle = conn.client.workflow.getHandle(workflowId);
    const desc = await handle.describe();
    if (desc.status.name !== 'RUNNING') {
      throw new RexsweepError(
        `sweep ${sweepId} is not running (${desc.status.name}); \`rexsweep run <sweep.yaml>\` starts it again, rerunning its failed and cancelled cells (add --from-scratch to ignore checkpoints)`,
      );
    }
    let p: SweepProgress;
    try {
      p = await send(handle, controlDefs);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const why = (err.cause as Error | undefined)?.message ?? err.message;
        throw new ConfigError(verb, [new InputError({ file: `rexsweep ${verb}`, field: sweepId }, 'a change the sweep accepts now', why)]);
      }
      throw err;
    }
    process.stdout.write(`sweep ${sweepId}: ${describeProgress(p, Date.now()).label} · concurrency ${p.concurrency}\n`);
  } finally {
    await conn.close();
  }
}
