/**
 * The Temporal half of bench/orchestration/floor.ts: the least workflow code that has a no-op
 * cell's shape, so the Temporal server's CPU per cell can be measured without rexsweep's own
 * workflow logic (sweep book, control handlers, MLflow activities). Bundled by the bench's
 * Worker (`workflowsPath`); imports nothing but the workflow SDK.
 */
import { executeChild, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';

/** The one activity, answered at once by the bench process. */
export interface FloorActivities {
  noop(): Promise<number>;
}

// Timeouts only: a no-op never fails, so retry policy does not matter here.
const remote = proxyActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '1 minute' });

/** Phase `workflow+activity`: one activity, then return. */
export async function noopWorkflow(): Promise<number> {
  return remote.noop();
}

/**
 * A cell's shape since ONE_COMPUTE_ACTIVITY (workflows/cell.ts): beginCell as a local activity,
 * runCell as an activity, finishCell as a local activity.
 */
export async function cellShapedWorkflow(): Promise<number> {
  await local.noop();
  const result = await remote.noop();
  await local.noop();
  return result;
}

/**
 * Phase `parent+child`: like a sweep, one parent that keeps at most `concurrency` children in
 * flight until `children` have run. Returns how many completed.
 */
export async function parentWorkflow(children: number, concurrency: number): Promise<number> {
  const parentId = workflowInfo().workflowId;
  let next = 0;
  let completed = 0;
  // Each lane runs children one after another; `concurrency` lanes bound what is in flight.
  const lane = async (): Promise<void> => {
    while (next < children) {
      const k = next++;
      await executeChild(cellShapedWorkflow, { workflowId: `${parentId}/child-${k}` });
      completed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, children) }, lane));
  return completed;
}
