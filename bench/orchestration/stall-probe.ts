/**
 * What a stalled sweep is waiting for: when no cell has settled for a while, print (stderr, one
 * JSON line each) the pending activities of the open cell workflows, the task queues' pollers as
 * the server sees them, and the workers' own SDK status. A benchmark's stall then says on which
 * side it is — a task the server holds that no poll takes, or a task a worker holds and never
 * completes — instead of "stopped by hand".
 */
import type { Client } from '@temporalio/client';
import type { RunningWorkers } from '../../worker/worker.ts';

export interface StallProbeInput {
  client: Client;
  namespace: string;
  queues: { workflow: string; gpu: string };
  workers?: RunningWorkers;
  log: (line: string) => void;
  /** Open cell workflows described at most (default 5). */
  maxCells?: number;
}

export async function probeStall(p: StallProbeInput): Promise<void> {
  const cells: unknown[] = [];
  for await (const wf of p.client.workflow.list({ query: `WorkflowType = "cellWorkflow" AND ExecutionStatus = "Running"` })) {
    if (cells.length >= (p.maxCells ?? 5)) break;
    const d = await p.client.workflow.getHandle(wf.workflowId, wf.runId).describe();
    cells.push({
      workflowId: wf.workflowId,
      pending: (d.raw.pendingActivities ?? []).map((a) => ({
        type: a.activityType?.name,
        state: a.state,
        attempt: a.attempt,
        scheduled: timeOf(a.scheduledTime),
        lastStarted: timeOf(a.lastStartedTime),
        lastHeartbeat: timeOf(a.lastHeartbeatTime),
        worker: a.lastWorkerIdentity,
        lastFailure: a.lastFailure?.message,
      })),
    });
  }
  p.log(JSON.stringify({ stall: 'open cells', cells }));
  for (const queue of [p.queues.workflow, p.queues.gpu]) {
    for (const taskQueueType of [1, 2] as const) {
      const r = await p.client.workflowService.describeTaskQueue({ namespace: p.namespace, taskQueue: { name: queue }, taskQueueType });
      p.log(JSON.stringify({ stall: 'pollers', queue, type: taskQueueType === 1 ? 'workflow' : 'activity', pollers: (r.pollers ?? []).map((x) => ({ identity: x.identity, lastAccess: timeOf(x.lastAccessTime) })) }));
    }
  }
  if (p.workers) p.log(JSON.stringify({ stall: 'workers', status: p.workers.status() }));
}

function timeOf(t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!t?.seconds) return undefined;
  return new Date(Number(t.seconds) * 1000 + Math.round((t.nanos ?? 0) / 1e6)).toISOString();
}
