/**
 * floor.ts's Temporal phases, on one worker in this process with floor-workflows.ts:
 *   workflow+activity  N client-started workflows of one no-op activity each
 *   parent+child       one parent keeping C children in flight, each local activity, activity,
 *                      local activity (a cell's shape)
 * `bench` CPU in these phases is client plus worker.
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { quietTemporalRuntime } from '../../client/connect.ts';
import { connectionOptions, temporalConnectionFromEnv } from '../../worker/temporal-connection.ts';
import { measured, phase, pool, wallMsPerCell, type FloorRun, type PhaseReport } from './floor-measure.ts';
import type { FloorActivities, noopWorkflow, parentWorkflow } from './floor-workflows.ts';

const WORKFLOWS_PATH = fileURLToPath(new URL('./floor-workflows.ts', import.meta.url));

export async function temporalPhases(run: FloorRun): Promise<PhaseReport[]> {
  const { stack, log } = run;
  quietTemporalRuntime();
  const settings = temporalConnectionFromEnv({ address: stack.temporalAddress });
  const connection = await Connection.connect(connectionOptions(settings));
  const native = await NativeConnection.connect(connectionOptions(settings));
  const client = new Client({ connection, namespace: settings.namespace });
  const taskQueue = `bench-floor-${process.pid}`;
  const activities: FloorActivities = { noop: async () => 0 };
  try {
    // Bundles floor-workflows.ts here, before any measurement. Worker defaults otherwise, as
    // rexsweep's workflow worker has (worker/worker.ts).
    const worker = await Worker.create({ connection: native, namespace: settings.namespace, taskQueue, workflowsPath: WORKFLOWS_PATH, activities });
    return await worker.runUntil(async () => {
      log('Temporal warm-up');
      await Promise.all([0, 1].map((k) => client.workflow.execute<typeof noopWorkflow>('noopWorkflow', { taskQueue, workflowId: `floor-warmup-${k}` })));
      await client.workflow.execute<typeof parentWorkflow>('parentWorkflow', { taskQueue, workflowId: 'floor-warmup-parent', args: [2, 2] });
      return [await workflowActivityPhase(run, client, taskQueue), await parentChildPhase(run, client, taskQueue)];
    });
  } finally {
    await connection.close();
    await native.close();
  }
}

async function workflowActivityPhase(run: FloorRun, client: Client, taskQueue: string): Promise<PhaseReport> {
  return phase(run, 'workflow+activity', async () => {
    const id = (k: number) => `floor-wa-${k}`;
    const figures = await measured(run, () =>
      pool(run.cells, run.concurrency, (k) => client.workflow.execute<typeof noopWorkflow>('noopWorkflow', { taskQueue, workflowId: id(k) })),
    );
    return { ...figures, wallMsPerCell: wallMsPerCell(run, figures.seconds), historyEvents: await historyLength(client, id(0)) };
  });
}

async function parentChildPhase(run: FloorRun, client: Client, taskQueue: string): Promise<PhaseReport> {
  return phase(run, 'parent+child', async () => {
    const parentId = 'floor-parent';
    let completed = 0;
    const figures = await measured(run, async () => {
      completed = await client.workflow.execute<typeof parentWorkflow>('parentWorkflow', { taskQueue, workflowId: parentId, args: [run.cells, run.concurrency] });
    });
    return {
      ...figures,
      wallMsPerCell: wallMsPerCell(run, figures.seconds),
      childrenCompleted: completed,
      historyEvents: await historyLength(client, `${parentId}/child-0`),
      parentHistoryEvents: await historyLength(client, parentId),
    };
  });
}

async function historyLength(client: Client, workflowId: string): Promise<number> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
}
