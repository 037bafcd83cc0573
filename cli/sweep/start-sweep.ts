/**
 * Start a sweep idempotently. The sweep's workflow id comes from its name and fixed settings,
 * so running the same config again finds the same workflow:
 *   running                          → attach to it
 *   completed with the same grid     → start nothing, show its result
 *   otherwise (new, failed, or grid extended) → start a run; completed cells are skipped
 */
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { canonicalJson } from '../../sweep/canonical.ts';
import { expandSweep } from '../../sweep/expand.ts';
import { sweepId } from '../../sweep/fingerprint.ts';
import type { SweepConfig } from '../../sweep/schema.ts';
import { sha256Hex } from '../../sweep/sha256.ts';
import { flattenParams } from '../../tracking/index.ts';
import type { sweepWorkflow } from '../../workflows/sweep.ts';

export interface StartedSweep {
  handle: WorkflowHandle<typeof sweepWorkflow>;
  workflowId: string;
  sweepId: string;
  /** What happened: a new run, attached to a running one, or nothing (already complete). */
  action: 'started' | 'attached' | 'complete';
}

export const sweepWorkflowId = (id: string) => `rexsweep-sweep-${id}`;

/** Identifies the set of cells: a completed sweep with the same grid has nothing left to do. */
export function gridHash(config: SweepConfig): string {
  return sha256Hex(expandSweep(config).map((c) => c.key).sort().join('\n')).slice(0, 16);
}

export async function startSweep(client: Client, config: SweepConfig): Promise<StartedSweep> {
  const id = sweepId(config);
  const workflowId = sweepWorkflowId(id);
  const grid = gridHash(config);
  const existing = client.workflow.getHandle<typeof sweepWorkflow>(workflowId);
  try {
    const desc = await existing.describe();
    if (desc.status.name === 'RUNNING') return { handle: existing, workflowId, sweepId: id, action: 'attached' };
    if (desc.status.name === 'COMPLETED' && desc.memo?.gridHash === grid) return { handle: existing, workflowId, sweepId: id, action: 'complete' };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const handle = await client.workflow.start('sweepWorkflow', {
    workflowId,
    taskQueue: config.queues.workflow,
    args: [{ sweep: { sweepId: id, study: config.study }, config, params: sweepParams(config) }],
    memo: { gridHash: grid, config: canonicalJson(config) },
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    // Two `rexsweep run`s racing: the second attaches to the first's workflow.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  }) as WorkflowHandle<typeof sweepWorkflow>;
  return { handle, workflowId, sweepId: id, action: 'started' };
}

/** Sweep-level parameters on the parent run: the grid and the fixed settings. */
function sweepParams(config: SweepConfig): Record<string, string> {
  const { datasets, ...rest } = config;
  return flattenParams({ ...rest, datasets: datasets.map((d) => d.name) } as Record<string, unknown>);
}
