/**
 * A sweep's final progress once its workflow has ended: the result of a completed sweep, or the
 * details of the failure a cancelled or stopped sweep ends with (workflows/sweep.ts).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { SweepProgress } from '../workflows/sweep-control.ts';

export async function finalProgress(handle: WorkflowHandle): Promise<SweepProgress> {
  try {
    return (await handle.result()) as SweepProgress;
  } catch (err) {
    const progress = stoppedProgress(err);
    if (progress) return progress;
    throw err;
  }
}

/** The progress a stopped sweep carries on its failure, if `err` is that failure. */
export function stoppedProgress(err: unknown): SweepProgress | undefined {
  const cause = (err as { cause?: { type?: string; details?: unknown[] } } | undefined)?.cause;
  if (cause?.type !== 'SweepCancelled' && cause?.type !== 'SweepFailed') return undefined;
  return cause.details?.[0] as SweepProgress | undefined;
}
