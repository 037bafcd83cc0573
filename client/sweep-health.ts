/**
 * What `rexsweep run` tells the user beyond the progress counts (issue 11): activities being
 * retried (a cell's training after a lost worker, MLflow bookkeeping during an MLflow outage)
 * and whether MLflow answers. Read from Temporal's own records (the pending activities of the
 * sweep workflow and of its running cell workflows) and from MLflow's /health, every few
 * seconds; nothing here changes the sweep. Every failure to look is ignored: this is advice.
 */
import type { Client } from '@temporalio/client';
import { escapeControl } from '../recsys/printable.ts';

export interface Retrying {
  /** The cell key, or undefined for the sweep's own activities. */
  cell?: string;
  activity: string;
  attempt: number;
  /** Why the previous attempt failed, one line. */
  reason: string;
}

/** At most this many cell workflows are described per look (one request each). */
const MAX_DESCRIBED = 20;

/** Activities of the sweep (and of its running cells) on their second attempt or later. */
export async function findRetries(client: Client, sweepWorkflowId: string): Promise<Retrying[]> {
  const ids: string[] = [sweepWorkflowId];
  const prefix = `${sweepWorkflowId}/cell-`;
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "${prefix}" AND ExecutionStatus = "Running"` })) {
    ids.push(wf.workflowId);
    if (ids.length > MAX_DESCRIBED) break;
  }
  const out: Retrying[] = [];
  await Promise.all(
    ids.map(async (id) => {
      const desc = await client.workflow.getHandle(id).describe().catch(() => undefined);
      for (const a of desc?.raw.pendingActivities ?? []) {
        const attempt = a.attempt ?? 1;
        if (attempt < 2) continue;
        out.push({
          ...(id.startsWith(prefix) ? { cell: id.slice(prefix.length) } : {}),
          activity: a.activityType?.name ?? 'activity',
          attempt,
          reason: describeFailure(a.lastFailure),
        });
      }
    }),
  );
  return out.sort((x, y) => (x.cell ?? '').localeCompare(y.cell ?? '') || x.activity.localeCompare(y.activity));
}

function describeFailure(f: { message?: string | null; timeoutFailureInfo?: { timeoutType?: unknown } | null } | null | undefined): string {
  if (!f) return 'its previous attempt failed';
  // A heartbeat timeout is what a killed or disconnected worker looks like.
  if (f.timeoutFailureInfo && /heartbeat/i.test(String(f.timeoutFailureInfo.timeoutType ?? f.message ?? ''))) return 'a lost worker (heartbeat timeout)';
  const line = escapeControl((f.message ?? 'failed').split('\n')[0]);
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/** One short phrase for the progress line, e.g. "retrying cell 3f2a… (trainCell attempt 2: a lost worker)". */
export function describeRetries(r: Retrying[]): string {
  if (r.length === 0) return '';
  const first = r[0];
  const what = first.cell ? `cell ${first.cell.slice(0, 12)} (${first.activity}` : `sweep bookkeeping (${first.activity}`;
  return `retrying ${what} attempt ${first.attempt}: ${first.reason})${r.length > 1 ? ` +${r.length - 1} more` : ''}`;
}

/** Whether MLflow's /health answers within 3 s. */
export async function mlflowAnswers(mlflowUri: string): Promise<boolean> {
  try {
    const res = await fetch(`${mlflowUri.replace(/\/+$/, '')}/health`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Whether something accepts TCP connections at `host:port` within 2 s: the quick sign that a
 * Temporal server is down (connection refused), seconds before the client's own gRPC retries
 * give up (~20 s). A listening port is not proof of health; the follow loop's calls decide that.
 */
export async function tcpAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  const { connect } = await import('node:net');
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return true; // not host:port: nothing to probe, assume up
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
